import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli, type CliIo } from "@ws-errors/codegen";
import { describe, expect, it } from "vitest";
import { scratch } from "./scratch";

/** The CLI run in `cwd`, as a user's shell would, with its output captured. */
async function cli(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { cwd, stdout: (t) => out.push(t), stderr: (t) => err.push(t), stdin: async () => "" };
  const code = await runCli(argv, io);
  return { code, out: out.join(""), err: err.join("") };
}

/** A user's project outside this repository: its own package.json, no packages/core above it. */
function project(): string {
  const dir = scratch("ws-errors-project-");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "@acme/prices-api", private: true, type: "module" }));
  return dir;
}

describe("the CLI in a user's project", () => {
  it("says how to start when there is no config, instead of looking for this repository's packages/core", async () => {
    const dir = project();
    const { code, err } = await cli(dir, "generate");
    expect(code).toBe(2);
    expect(err).toContain("no ws-errors.config.json");
    expect(err).toContain("npx ws-errors init");
    expect(err).not.toContain("packages/core");
  });

  it("init → generate → --check: a starter catalog that lints, outputs where the config says, headers and examples that fit the project", async () => {
    const dir = project();
    const init = await cli(dir, "init");
    expect(init.code).toBe(0);
    expect(init.out).toContain("catalogs/prices-api.yaml");
    const config = JSON.parse(readFileSync(join(dir, "ws-errors.config.json"), "utf8")) as Record<string, unknown>;
    expect(config).toEqual({ catalogs: ["catalogs"], out: "src/ws-errors", docs: "docs/ws-errors" });
    expect((await cli(dir, "lint", "catalogs/prices-api.yaml")).code).toBe(0);

    const generated = await cli(dir, "generate");
    expect(generated.code).toBe(0);
    const module = readFileSync(join(dir, "src/ws-errors/prices-api.ts"), "utf8");
    expect(module.split("\n")[1]).toBe("// Regenerate with `npx ws-errors generate`.");
    expect(module).toContain('import { pricesApi } from "./src/ws-errors/prices-api.js";');
    expect(module).not.toContain("@ws-errors/core/catalogs/");
    // The reference module is named as the project imports it, never as a path with a suffix added.
    expect(module).toContain("are in `./src/ws-errors/prices-api.reference.js`");
    const reference = readFileSync(join(dir, "src/ws-errors/prices-api.reference.ts"), "utf8");
    expect(reference).toContain('import { pricesApiReference } from "./src/ws-errors/prices-api.reference.js";');
    expect(`${module}${reference}`).not.toContain(".js.reference");
    // Reference pages go to the docs folder, not among the sources.
    expect(existsSync(join(dir, "docs/ws-errors/prices-api.md"))).toBe(true);
    expect(existsSync(join(dir, "src/ws-errors/docs"))).toBe(false);

    expect((await cli(dir, "generate", "--check")).code).toBe(0);
    writeFileSync(
      join(dir, "catalogs/prices-api.yaml"),
      readFileSync(join(dir, "catalogs/prices-api.yaml"), "utf8").replace("title: prices-api WebSocket API", "title: Prices"),
    );
    const stale = await cli(dir, "generate", "--check");
    expect(stale.code).toBe(1);
    expect(stale.err).toContain("run `npx ws-errors generate`");
  });

  it("init never replaces a file", async () => {
    const dir = project();
    expect((await cli(dir, "init")).code).toBe(0);
    writeFileSync(join(dir, "catalogs/prices-api.yaml"), "# mine\n");
    const again = await cli(dir, "init");
    expect(again.code).toBe(2);
    expect(again.err).toContain("already exist");
    expect(readFileSync(join(dir, "catalogs/prices-api.yaml"), "utf8")).toBe("# mine\n");
  });

  it("init in a project with a config adds a catalog: into the catalogs folder it lists, or beside it and into its list", async () => {
    const dir = project();
    expect((await cli(dir, "init")).code).toBe(0);
    const config = readFileSync(join(dir, "ws-errors.config.json"), "utf8");
    const second = await cli(dir, "init", "--name", "orders");
    expect(second.code).toBe(0);
    expect(second.out).toContain("wrote catalogs/orders.yaml");
    expect(readFileSync(join(dir, "ws-errors.config.json"), "utf8")).toBe(config);
    expect((await cli(dir, "generate")).code).toBe(0);
    expect(existsSync(join(dir, "src/ws-errors/prices-api.ts")) && existsSync(join(dir, "src/ws-errors/orders.ts"))).toBe(true);

    // A config that lists files, in package.json: the new catalog is added to the list, the rest kept.
    const listed = scratch("ws-errors-project-");
    writeFileSync(join(listed, "package.json"), `${JSON.stringify({ name: "x", wsErrors: { catalogs: ["api.yaml"], out: "gen" } }, null, "\t")}\n`);
    writeFileSync(
      join(listed, "api.yaml"),
      readFileSync(join(import.meta.dirname, "..", "catalogs", "esca-rates.yaml"), "utf8").replace("$schema=../schema/", "$schema=./"),
    );
    const added = await cli(listed, "init", "--name", "fills");
    expect(added.code).toBe(0);
    expect(added.out).toContain("wrote catalogs/fills.yaml and added it to package.json");
    const pkg = readFileSync(join(listed, "package.json"), "utf8");
    expect(JSON.parse(pkg)).toEqual({ name: "x", wsErrors: { catalogs: ["api.yaml", "catalogs/fills.yaml"], out: "gen" } });
    expect(pkg).toContain('\n\t"wsErrors"');
    const generatedBoth = await cli(listed, "generate");
    expect(generatedBoth.code, generatedBoth.err).toBe(0);
    expect([existsSync(join(listed, "gen/esca-rates.ts")), existsSync(join(listed, "gen/fills.ts"))], generatedBoth.out).toEqual([true, true]);
    // Asked again, nothing is replaced or listed twice.
    expect((await cli(listed, "init", "--name", "fills")).code).toBe(2);
    expect(JSON.parse(readFileSync(join(listed, "package.json"), "utf8")).wsErrors.catalogs).toEqual(["api.yaml", "catalogs/fills.yaml"]);
  });

  it("reads the config from package.json's wsErrors field too, and from a subfolder", async () => {
    const dir = scratch("ws-errors-project-");
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "x", wsErrors: { catalogs: ["api.yaml"], out: "gen" } }));
    writeFileSync(
      join(dir, "api.yaml"),
      readFileSync(join(import.meta.dirname, "..", "catalogs", "esca-rates.yaml"), "utf8").replace("$schema=../schema/", "$schema=./"),
    );
    execFileSync("mkdir", ["-p", join(dir, "deep/er")]);
    expect((await cli(join(dir, "deep/er"), "generate")).code).toBe(0);
    expect(existsSync(join(dir, "gen/esca-rates.ts"))).toBe(true);
    const bad = scratch("ws-errors-project-");
    writeFileSync(join(bad, "ws-errors.config.json"), JSON.stringify({ catalogs: "api.yaml", out: "gen" }));
    const refused = await cli(bad, "generate");
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('ws-errors.config.json: "catalogs" must be a non-empty list');
  });

  it("docs, decode and diff take the config's catalogs by name", async () => {
    const dir = project();
    await cli(dir, "init", "--name", "feed");
    const page = await cli(dir, "docs", "--catalog", "feed");
    expect(page.code).toBe(0);
    expect(page.out).toContain('import { feed } from "./src/ws-errors/feed.js"');
    const decoded = await cli(dir, "decode", "--catalog", "feed", '{"type":"error","id":7,"code":"not_found","message":"no such channel"}');
    expect(decoded.code).toBe(0);
    expect(JSON.parse(decoded.out)).toMatchObject({ error: { class: "ChannelNotFoundError", kind: "not-found", requestId: 7 } });
    expect((await cli(dir, "docs")).code).toBe(0);
    expect(existsSync(join(dir, "docs/ws-errors/feed.md"))).toBe(true);
  });

  it("--version, and --help for each command", async () => {
    const version = await cli(project(), "--version");
    expect(version.code).toBe(0);
    expect(version.out.trim()).toBe((JSON.parse(readFileSync(join(import.meta.dirname, "..", "package.json"), "utf8")) as { version: string }).version);
    for (const command of ["init", "generate", "diff", "changeset", "lint", "decode", "docs", "export"]) {
      const help = await cli(project(), command, "--help");
      expect(help.code).toBe(0);
      expect(help.out).toContain(`Usage: ws-errors ${command}`);
    }
  });
});

describe("diff and changeset with nothing to compare with", () => {
  it("outside git: says so and exits 2, never a guessed classification", async () => {
    const dir = project();
    await cli(dir, "init");
    for (const args of [["diff", "catalogs/prices-api.yaml"], ["diff"], ["changeset"]]) {
      const run = await cli(dir, ...args);
      expect(run.code).toBe(2);
      expect(run.err).toContain("no earlier version of prices-api.yaml to compare with (it is not in a git repository)");
      expect(run.out).not.toMatch(/minor|major|patch/);
    }
  });

  it("in git, a catalog never committed is said to be so; once committed, a removal and a rename are major", async () => {
    const dir = project();
    await cli(dir, "init");
    const git = (...args: string[]) => execFileSync("git", ["-C", dir, "-c", "user.email=t@example.com", "-c", "user.name=t", ...args], { stdio: "pipe" });
    git("init", "-q");
    const never = await cli(dir, "diff");
    expect(never.code).toBe(2);
    expect(never.err).toContain("it has never been committed");
    git("add", ".");
    git("commit", "-qm", "catalog");
    const file = join(dir, "catalogs/prices-api.yaml");
    const text = readFileSync(file, "utf8");
    // Remove one entry, rename the id of another.
    const removed = text.replace(/\n {2}- id: server-restarting[\s\S]*$/, "\n").replace("id: bad-message", "id: malformed-message");
    writeFileSync(file, removed);
    const diff = await cli(dir, "diff");
    expect(diff.code).toBe(1);
    expect(diff.out).toMatch(/prices-api: major/);
    const changeset = await cli(dir, "changeset");
    expect(changeset.code).toBe(0);
    expect(readFileSync(join(dir, ".changeset/ws-errors-prices-api.md"), "utf8")).toContain('"@acme/prices-api": major');
  });
});

describe("lint warnings", () => {
  it("says which built-in errors a server would answer with, and still exits 0", async () => {
    const dir = project();
    await cli(dir, "init");
    const file = join(dir, "catalogs/prices-api.yaml");
    // Only the first two entries: no invalid-message, no internal entry.
    writeFileSync(file, readFileSync(file, "utf8").replace(/\n {2}- id: channel-not-found[\s\S]*$/, "\n"));
    const lint = await cli(dir, "lint", "catalogs/prices-api.yaml");
    expect(lint.code).toBe(0);
    expect(lint.err).toContain(
      'catalogs/prices-api.yaml: warning: no invalid-message entry with a frame layer that keeps the connection open: servers answer a message it cannot parse with the built-in "invalid_message" error',
    );
    expect(lint.err).toContain('built-in "internal_error"');
    // An entry of the role's kind whose message is a template cannot stand in: the warning names it.
    writeFileSync(
      file,
      `${readFileSync(file, "utf8")}  - id: maintenance\n    code: maintenance\n    kind: service-unavailable\n    scope: connection\n    summary: Maintenance soon.\n    retry: { directive: reconnect }\n    details:\n      minutes: { type: integer }\n    frame: { template: "maintenance in {minutes} minutes" }\n`,
    );
    const templated = await cli(dir, "lint", "catalogs/prices-api.yaml");
    expect(templated.code).toBe(0);
    expect(templated.err).toContain(
      'no internal or service-unavailable or unknown entry with a frame layer ("maintenance": a templated message needs details the server does not have): servers answer an unexpected exception with the built-in "internal_error" error',
    );
    const full = project();
    await cli(full, "init");
    expect((await cli(full, "lint", "catalogs/prices-api.yaml")).err).toBe("");
  });
});
