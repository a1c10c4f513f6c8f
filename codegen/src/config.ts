import { dirname, relative, resolve } from "node:path";
import { lilconfigSync } from "lilconfig";

/** `ws-errors.config.json` (or the `wsErrors` field of package.json): where a project's catalogs and outputs live. */
export interface ProjectConfig {
  /** Catalog files or folders, relative to the config file. */
  readonly catalogs: readonly string[];
  /** Folder for the generated TypeScript modules, relative to the config file. */
  readonly out: string;
  /** Folder for the Markdown reference pages (default `docs/ws-errors`). */
  readonly docs?: string;
  /**
   * How the project's code imports a generated module, for the JSDoc examples and reference pages;
   * `{name}` is the catalog name (default `./<out>/{name}.js`).
   */
  readonly import?: string;
}

/** A config as found: its folder, and every path in it made absolute. */
export interface LoadedConfig {
  readonly file: string;
  readonly dir: string;
  readonly catalogs: readonly string[];
  readonly out: string;
  readonly docs: string;
  readonly importPath: (name: string) => string;
}

export const CONFIG_FILE = "ws-errors.config.json";
// Synchronous loading: JSON, package.json and CommonJS configs (ESM configs would need an async load).
const SEARCH = ["package.json", CONFIG_FILE, "ws-errors.config.cjs"];

/**
 * Finds the project config from `cwd` upward; `undefined` when there is none, an error naming the
 * file and the field when it is malformed.
 */
export function loadConfig(cwd: string): LoadedConfig | { readonly error: string } | undefined {
  let found: { config: unknown; filepath: string } | null;
  try {
    // Read afresh each time (init edits the config, a watcher reads it again after the user does):
    // lilconfig's own JSON loader is require(), whose cache keeps the first version for good.
    found = lilconfigSync("wsErrors", {
      searchPlaces: SEARCH,
      cache: false,
      loaders: { ".json": (_path, content) => JSON.parse(content.replace(/^\uFEFF/, "")) as unknown },
    }).search(cwd);
  } catch (error) {
    return { error: (error as Error).message };
  }
  if (!found) return undefined;
  const { config, filepath } = found;
  const where = relative(cwd, filepath) || filepath;
  if (typeof config !== "object" || config === null) return { error: `${where}: the config must be an object with "catalogs" and "out"` };
  const c = config as Partial<Record<keyof ProjectConfig, unknown>>;
  if (!Array.isArray(c.catalogs) || c.catalogs.length === 0 || !c.catalogs.every((x) => typeof x === "string"))
    return { error: `${where}: "catalogs" must be a non-empty list of catalog files or folders` };
  if (typeof c.out !== "string" || c.out === "") return { error: `${where}: "out" must name the folder for the generated TypeScript` };
  if (c.docs !== undefined && typeof c.docs !== "string") return { error: `${where}: "docs" must be a folder name` };
  if (c.import !== undefined && (typeof c.import !== "string" || !c.import.includes("{name}")))
    return { error: `${where}: "import" must be a module path containing {name}` };
  const dir = dirname(filepath);
  const out = c.out;
  const template = (c.import as string | undefined) ?? `./${relative(dir, resolve(dir, out)).split("\\").join("/")}/{name}.js`;
  return {
    file: filepath,
    dir,
    catalogs: (c.catalogs as string[]).map((p) => resolve(dir, p)),
    out: resolve(dir, out),
    docs: resolve(dir, (c.docs as string | undefined) ?? "docs/ws-errors"),
    importPath: (name) => template.split("{name}").join(name),
  };
}
