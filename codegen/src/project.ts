import { join, relative, resolve } from "node:path";
import { expandCatalogs, findCorePackage } from "./catalogs";
import { CONFIG_FILE, loadConfig } from "./config";
import { BUNDLED_OUTPUT, type GenerateOptions } from "./generate/output";
import type { OutputDirs } from "./write";

/** What one run works on: catalog files, where their outputs go, and what those outputs say of themselves. */
export interface Project {
  readonly files: readonly string[];
  readonly dirs: OutputDirs;
  /** Whether generated files of catalogs no longer listed are removed. */
  readonly prune: boolean;
  readonly where: Required<GenerateOptions>;
  /** Write only this kind of output (`ws-errors docs`). */
  readonly only?: "docs";
}

export interface ProjectFlags {
  readonly catalog?: readonly string[];
  readonly out?: string;
  readonly docsOut?: string;
}

/**
 * Where a command's inputs and outputs are, in this order: the flags given; the project's
 * `ws-errors.config.json` (or package.json `wsErrors`) from `cwd` upward; inside the ws-errors
 * repository, the bundled catalogs into `packages/core`. Otherwise an error saying what to do.
 */
export function resolveProject(flags: ProjectFlags, cwd: string, command: string): Project | { readonly error: string } {
  const explicit = flags.catalog !== undefined || flags.out !== undefined;
  const config = explicit ? undefined : loadConfig(cwd);
  if (config && "error" in config) return { error: config.error };
  if (config) {
    return {
      files: expandCatalogs(config.catalogs, cwd),
      dirs: { code: config.out, docs: flags.docsOut ? resolve(cwd, flags.docsOut) : config.docs },
      prune: true,
      where: { regenerate: "npx ws-errors generate", importPath: config.importPath },
    };
  }
  const core = findCorePackage(cwd);
  if (flags.out === undefined && !core) {
    return {
      error: `ws-errors ${command}: no ${CONFIG_FILE} in this folder or above it. Run \`npx ws-errors init\` to create one, or pass --catalog and --out.`,
    };
  }
  const code = flags.out !== undefined ? resolve(cwd, flags.out) : join(core as string, "src", "generated");
  const docs = flags.docsOut !== undefined ? resolve(cwd, flags.docsOut) : flags.out !== undefined ? join(code, "docs") : join(core as string, "docs");
  const files = expandCatalogs(flags.catalog, cwd);
  // Inside this repository the bundled outputs keep this repository's own header and imports.
  const where =
    core && flags.out === undefined
      ? BUNDLED_OUTPUT
      : {
          regenerate: [
            "npx ws-errors generate",
            ...(flags.catalog ?? []).flatMap((c) => ["--catalog", relative(cwd, resolve(cwd, c)) || "."]),
            ...(flags.out !== undefined ? ["--out", relative(cwd, code) || "."] : []),
          ].join(" "),
          importPath: BUNDLED_OUTPUT.importPath,
        };
  return { files, dirs: { code, docs }, prune: flags.catalog === undefined, where };
}
