/** Where the output will live: what regenerates it, and how code there imports a catalog module. */
export interface GenerateOptions {
  /** The command named in the do-not-edit header (default `pnpm ws-errors generate`, this repository's). */
  readonly regenerate?: string;
  /** The module path examples import a catalog from (default `@ws-errors/core/catalogs/<name>`). */
  readonly importPath?: (name: string) => string;
}

/** The output places of this repository's bundled catalogs. */
export const BUNDLED_OUTPUT: Required<GenerateOptions> = { regenerate: "pnpm ws-errors generate", importPath: (name) => `@ws-errors/core/catalogs/${name}` };
