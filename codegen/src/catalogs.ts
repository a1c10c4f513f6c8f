import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The catalogs shipped with the package (`codegen/catalogs`), from `src/` or `dist/` alike. */
export const BUNDLED_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../catalogs");

const CATALOG_FILE = /\.(ya?ml|json)$/;
/* A folder of catalogs may hold the project's own config files too. */
const NOT_CATALOGS = /^(package\.json|ws-errors\.config\.json|tsconfig.*\.json|\.)/;

/** Catalog files in a folder, sorted so output never depends on directory order. */
export function catalogFilesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => CATALOG_FILE.test(name) && !NOT_CATALOGS.test(name))
    .sort()
    .map((name) => join(dir, name));
}

/** Files named by `--catalog` values (files or folders), or every bundled catalog. */
export function expandCatalogs(values: readonly string[] | undefined, cwd: string): string[] {
  if (!values || values.length === 0) return catalogFilesIn(BUNDLED_DIR);
  return values.flatMap((value) => {
    const path = resolve(cwd, value);
    return existsSync(path) && statSync(path).isDirectory() ? catalogFilesIn(path) : [path];
  });
}

/**
 * A catalog named on the command line: an existing file, else a bundled catalog whose file name
 * is the name (`collective2`) or starts with it (`esca` → `esca-rates.yaml`).
 */
export function resolveCatalog(value: string, cwd: string): string | undefined {
  const path = resolve(cwd, value);
  if (existsSync(path) && statSync(path).isFile()) return path;
  const files = catalogFilesIn(BUNDLED_DIR);
  const stem = (file: string) => file.slice(BUNDLED_DIR.length + 1).replace(CATALOG_FILE, "");
  return files.find((file) => stem(file) === value) ?? files.find((file) => stem(file).startsWith(value));
}

export function bundledNames(): string[] {
  return catalogFilesIn(BUNDLED_DIR).map((file) => file.slice(BUNDLED_DIR.length + 1).replace(CATALOG_FILE, ""));
}

/** The workspace folder holding `packages/core`, searched upward from `cwd`. */
export function findCorePackage(cwd: string): string | undefined {
  let dir = resolve(cwd);
  for (;;) {
    const candidate = join(dir, "packages", "core");
    if (existsSync(join(candidate, "package.json"))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
