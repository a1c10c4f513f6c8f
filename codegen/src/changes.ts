import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import type { CatalogSpec } from "@ws-errors/core";
import { diffCatalogs, type CatalogDiff } from "./diff";
import { loadCatalogFile, loadCatalogText } from "./load";
import type { Problem } from "./problems";

/** The repository a file is in, or `undefined` outside git. */
export function repoRoot(path: string): string | undefined {
  try {
    return execFileSync("git", ["-C", existsSync(path) && !path.match(/\.(ya?ml|json)$/) ? path : dirname(path), "rev-parse", "--show-toplevel"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return undefined;
  }
}

/** A catalog as last committed (`git show HEAD:path`); `undefined` when it was never committed. */
export function committedVersion(file: string): { spec: CatalogSpec } | { problems: readonly Problem[] } | undefined {
  const root = repoRoot(file);
  if (!root) return undefined;
  let text: string;
  try {
    text = execFileSync("git", ["-C", root, "show", `HEAD:${relative(root, file)}`], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return undefined;
  }
  const result = loadCatalogText(text, `HEAD:${relative(root, file)}`);
  return result.ok ? { spec: result.spec } : { problems: result.problems };
}

/**
 * The diff of a catalog file against its last committed version. With none to compare with
 * (outside git, or never committed) the answer says so: a guessed classification would call a
 * removal plus a rename "minor".
 */
export function diffAgainstHead(file: string): { diff: CatalogDiff } | { problems: readonly Problem[] } | { missing: string } {
  const current = loadCatalogFile(file);
  if (!current.ok) return { problems: current.problems };
  const committed = committedVersion(file);
  if (committed && "problems" in committed) return { problems: committed.problems };
  if (!committed) {
    const why = repoRoot(file) ? "it has never been committed" : "it is not in a git repository";
    return { missing: `no earlier version of ${basename(file)} to compare with (${why}); commit it first, or compare two files: ws-errors diff OLD NEW` };
  }
  return { diff: diffCatalogs(committed.spec, current.spec) };
}

/** The package a folder belongs to: the nearest package.json above it. */
export function owningPackage(dir: string): { name: string; dir: string } | undefined {
  let at = dir;
  for (;;) {
    const file = join(at, "package.json");
    if (existsSync(file)) {
      const name = (JSON.parse(readFileSync(file, "utf8")) as { name?: string }).name;
      if (name) return { name, dir: at };
    }
    const parent = dirname(at);
    if (parent === at) return undefined;
    at = parent;
  }
}

/**
 * Writes `.changeset/ws-errors-<catalog>.md` at the repository root: the package that holds the
 * generated code, the bump the diff calls for, and a summary of the changes. The file name is
 * fixed per catalog, so running again replaces it rather than adding another. Returns its path,
 * or `undefined` when nothing changed.
 */
export function writeChangeset(diff: CatalogDiff, packageName: string, root: string, source: string): string | undefined {
  if (!diff.bump) return undefined;
  const lines = [
    "---",
    `${JSON.stringify(packageName)}: ${diff.bump}`,
    "---",
    "",
    `Catalog \`${diff.catalog}\` (${source}): ${diff.bump === "major" ? "breaking changes" : diff.bump === "minor" ? "additions" : "wording"}.`,
    "",
    ...diff.changes.map((c) => `- ${c.bump}: ${c.subject === "catalog" || c.subject === "dialect" ? c.subject : `\`${c.subject}\``}: ${c.what}`),
    "",
  ];
  const dir = join(root, ".changeset");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `ws-errors-${diff.catalog}.md`);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, lines.join("\n"));
  renameSync(tmp, path);
  return path;
}

export function catalogLabel(file: string, root: string | undefined): string {
  return root ? relative(root, file) : basename(file);
}
