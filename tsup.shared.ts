import { defineConfig } from "tsup";

/** The build of an adapter package: one entry, ESM and CJS with types, its peers left external. */
export function adapterConfig(external: (string | RegExp)[], target = "node20") {
  return defineConfig({
    entry: { index: "src/index.ts" },
    format: ["esm", "cjs"],
    dts: true,
    clean: true,
    sourcemap: true,
    target,
    external: ["@ws-errors/core", ...external],
  });
}
