import { scratch } from "./scratch";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUNDLED_DIR, diffCatalogs, loadCatalogFile, runCli, type CliIo } from "@ws-errors/codegen";
import { describe, expect, it } from "vitest";

function io(cwd: string): CliIo & { out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return { cwd, stdout: (t) => out.push(t), stderr: (t) => err.push(t), stdin: async () => "", out: () => out.join(""), err: () => err.join("") };
}

/** A throwaway repository shaped like this one: a bundled catalog, committed, and packages/core. */
function repo(): string {
  const dir = scratch("ws-errors-changes-");
  mkdirSync(join(dir, "codegen", "catalogs"), { recursive: true });
  mkdirSync(join(dir, "packages", "core", "src", "generated"), { recursive: true });
  cpSync(join(BUNDLED_DIR, "esca-rates.yaml"), join(dir, "codegen", "catalogs", "esca-rates.yaml"));
  writeFileSync(join(dir, "packages", "core", "package.json"), JSON.stringify({ name: "@ws-errors/core", version: "1.2.3" }));
  const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, stdio: "ignore" });
  git("init", "-q");
  git("-c", "user.email=t@t", "-c", "user.name=t", "add", "-A");
  git("-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "catalog");
  return dir;
}

const catalogIn = (dir: string) => join(dir, "codegen", "catalogs", "esca-rates.yaml");

describe("ws-errors changeset", () => {
  it("writes a major changeset for @ws-errors/core when an entry is removed", async () => {
    const dir = repo();
    const file = catalogIn(dir);
    const text = readFileSync(file, "utf8");
    const start = text.indexOf("  - id: unknown-symbol");
    const end = text.indexOf("  - id: slow-consumer");
    writeFileSync(file, text.slice(0, start) + text.slice(end));
    const run = io(dir);
    expect(await runCli(["changeset", "--catalog", "codegen/catalogs"], run)).toBe(0);
    const changeset = readFileSync(join(dir, ".changeset", "ws-errors-esca-rates.md"), "utf8");
    expect(changeset).toMatch(/^---\n"@ws-errors\/core": major\n---\n/);
    expect(changeset).toContain('- major: `unknown-symbol`: removed (frame code "unknown_symbol")');
    expect(run.out()).toContain("@ws-errors/core major");
  });

  it("writes a patch for a rewording, and nothing when nothing changed", async () => {
    const dir = repo();
    expect(await runCli(["changeset", "--catalog", "codegen/catalogs"], io(dir))).toBe(0);
    expect(existsSync(join(dir, ".changeset", "ws-errors-esca-rates.md"))).toBe(false);
    const file = catalogIn(dir);
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace("summary: Subscribed to a pair that isn't supported.", "summary: The pair is not one this feed quotes."),
    );
    expect(await runCli(["changeset", "--catalog", "codegen/catalogs"], io(dir))).toBe(0);
    const changeset = readFileSync(join(dir, ".changeset", "ws-errors-esca-rates.md"), "utf8");
    expect(changeset).toMatch(/^---\n"@ws-errors\/core": patch\n---\n/);
    expect(changeset).toContain("- patch: `unknown-symbol`: summary reworded");
  });

  it("writes a minor for an added entry, through generate --changeset", async () => {
    const dir = repo();
    const file = catalogIn(dir);
    writeFileSync(
      file,
      `${readFileSync(file, "utf8")}
  - id: maintenance
    code: maintenance
    kind: service-unavailable
    scope: connection
    summary: Down for maintenance.
    retry: { directive: reconnect }
    frame: true
`,
    );
    const run = io(dir);
    expect(await runCli(["generate", "--catalog", "codegen/catalogs", "--out", "packages/core/src/generated", "--changeset"], run)).toBe(0);
    expect(existsSync(join(dir, "packages", "core", "src", "generated", "esca-rates.ts"))).toBe(true);
    expect(readFileSync(join(dir, ".changeset", "ws-errors-esca-rates.md"), "utf8")).toMatch(
      /"@ws-errors\/core": minor[\s\S]*- minor: `maintenance`: added \(frame code "maintenance"\)/,
    );
  });

  it("ws-errors diff exits 1 for a breaking change and prints JSON on request", async () => {
    const dir = repo();
    const file = catalogIn(dir);
    writeFileSync(file, readFileSync(file, "utf8").replace("close: { code: 4008, reason: rate_limited }", "close: { code: 4009, reason: rate_limited }"));
    const run = io(dir);
    expect(await runCli(["diff", "codegen/catalogs/esca-rates.yaml", "--json"], run)).toBe(1);
    expect(JSON.parse(run.out())).toMatchObject({ catalog: "esca-rates", bump: "major", changes: [{ bump: "major", subject: "slow-consumer" }] });
  });
});

describe("entries told apart on the wire by more than a code", () => {
  const quarry = loadCatalogFile(join(BUNDLED_DIR, "../test/catalogs/quarry.yaml"));
  const murmur = loadCatalogFile(join(BUNDLED_DIR, "../test/catalogs/murmur.yaml"));
  if (!quarry.ok || !murmur.ok) throw new Error("test catalogs must load");

  it("reports nothing for entries sharing a code by `when`, labels or reason, when they did not change (it said a shared code 'moved' between them)", () => {
    for (const { spec } of [quarry, murmur]) {
      const reordered = { ...spec, errors: [...spec.errors].reverse() };
      expect(diffCatalogs(spec, reordered).changes, spec.name).toEqual([]);
    }
  });

  it("reports the removal of one of two closes sharing a code as that removal, not as the other taking its code", () => {
    const banned = murmur.spec.errors.find((e) => e.close?.anyCode);
    if (!banned) throw new Error("murmur has a close matched by reason whatever its code");
    const diff = diffCatalogs(murmur.spec, { ...murmur.spec, errors: murmur.spec.errors.filter((e) => e !== banned) });
    expect(diff.changes).toEqual([{ bump: "major", subject: banned.id, what: expect.stringMatching(/^removed/) }]);
  });

  it("still reports a code that now names another entry", () => {
    const [first, second] = quarry.spec.errors.filter((e) => e.frame?.when);
    if (!first?.frame || !second?.frame) throw new Error("quarry has entries told apart by `when`");
    const [a, b] = [first.frame, second.frame];
    const swapped = quarry.spec.errors.map((e) => (e === first ? { ...e, frame: b } : e === second ? { ...e, frame: a } : e));
    const moved = diffCatalogs(quarry.spec, { ...quarry.spec, errors: swapped }).changes.filter((c) => /moved from/.test(c.what));
    expect(moved.map((c) => c.subject).sort()).toEqual([first.id, second.id].sort());
  });
});

describe("the TickDB drift (the legacy Errors page → the Error Code Quick Reference)", () => {
  const legacy = loadCatalogFile(join(BUNDLED_DIR, "tickdb-legacy.yaml"));
  const current = loadCatalogFile(join(BUNDLED_DIR, "tickdb.yaml"));
  if (!legacy.ok || !current.ok) throw new Error("bundled catalogs must load");
  const diff = diffCatalogs(legacy.spec, { ...current.spec, name: legacy.spec.name });
  const find = (subject: string, what: RegExp) => diff.changes.find((c) => c.subject === subject && what.test(c.what));

  it("is breaking", () => expect(diff.bump).toBe("major"));
  it("flags 2003 changing meaning: depth unavailable became invalid time range", () => {
    expect(find("invalid-time-range", /frame code 2003 moved from "depth-unavailable" to "invalid-time-range"/)?.bump).toBe("major");
  });
  it("flags depth moving from 2003 to 4003, and trade from 2004 to 4004", () => {
    expect(find("depth-unavailable", /^code 2003 → 4003$/)?.bump).toBe("major");
    expect(find("trade-unavailable", /^code 2004 → 4004$/)?.bump).toBe("major");
  });
  it("flags 2001's entry changing under clients (invalid message → invalid parameters)", () => {
    expect(find("invalid-parameters", /frame code 2001 meant "invalid-message"/)?.bump).toBe("major");
  });
  it("counts the quick reference's new codes as additions", () => {
    expect(find("symbol-not-found", /^added \(frame code 2002\)$/)?.bump).toBe("minor");
  });
});
