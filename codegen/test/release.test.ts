import { scratch } from "./scratch";
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const CHANGESET = join(ROOT, "node_modules", ".bin", "changeset");

/** A workspace shaped like this one (core, an adapter depending on it, an ignored app), using the repo's real changesets config. */
function workspace(changeset: string): string {
  const dir = scratch("ws-errors-release-");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "root", private: true }));
  writeFileSync(join(dir, "pnpm-workspace.yaml"), "packages:\n  - packages/*\n  - apps/*\n");
  const pkg = (path: string, json: object) => {
    mkdirSync(join(dir, path), { recursive: true });
    writeFileSync(join(dir, path, "package.json"), JSON.stringify(json, null, 2));
  };
  pkg("packages/core", { name: "@ws-errors/core", version: "1.0.0" });
  pkg("packages/node", { name: "@ws-errors/node", version: "1.0.0", dependencies: { "@ws-errors/core": "workspace:^" } });
  pkg("packages/codegen", { name: "@ws-errors/codegen", version: "1.0.0", dependencies: { "@ws-errors/core": "workspace:^" } });
  pkg("apps/demo", { name: "@ws-errors/demo", private: true, version: "0.0.0", dependencies: { "@ws-errors/core": "workspace:*" } });
  cpSync(join(ROOT, ".changeset", "config.json"), join(dir, ".changeset", "config.json"), { recursive: true });
  writeFileSync(join(dir, ".changeset", "change.md"), changeset);
  execFileSync(CHANGESET, ["version"], { cwd: dir, stdio: "ignore", env: { ...process.env, CI: "true" } });
  return dir;
}

const version = (dir: string, path: string) => (JSON.parse(readFileSync(join(dir, path, "package.json"), "utf8")) as { version: string }).version;

describe("the release flow (changeset version, offline)", () => {
  it("bumps only what changed: a codegen patch touches nothing else", () => {
    const dir = workspace('---\n"@ws-errors/codegen": patch\n---\n\nfix\n');
    expect(version(dir, "packages/codegen")).toBe("1.0.1");
    expect(version(dir, "packages/core")).toBe("1.0.0");
    expect(version(dir, "packages/node")).toBe("1.0.0");
  });

  it("a minor release of core is not a major of the adapters", () => {
    const dir = workspace('---\n"@ws-errors/core": minor\n---\n\nnew catalog\n');
    expect(version(dir, "packages/core")).toBe("1.1.0");
    expect(version(dir, "packages/node")).toMatch(/^1\.0\.[01]$/);
    expect(version(dir, "packages/codegen")).toMatch(/^1\.0\.[01]$/);
    expect(version(dir, "apps/demo")).toBe("0.0.0");
  });

  it("a major of core (a breaking catalog change) is a major of core alone, the adapters follow with a patch", () => {
    const dir = workspace('---\n"@ws-errors/core": major\n---\n\nremoved an entry\n');
    expect(version(dir, "packages/core")).toBe("2.0.0");
    expect(version(dir, "packages/node")).toBe("1.0.1");
  });
});
