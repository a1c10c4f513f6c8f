import { defineConfig } from "tsup";

/*
 * The engine and one entry per runtime adapter: a Bun server loads nothing of Deno's, and no entry
 * imports a Node built-in. Adapters import the engine as "../index" in the sources; built, that is
 * this package's main entry, so every adapter shares one ServerEngine class (and one `instanceof`).
 */
export default defineConfig({
  entry: { index: "src/index.ts", bun: "src/adapters/bun.ts", deno: "src/adapters/deno.ts", crossws: "src/adapters/crossws.ts" },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "es2022",
  external: ["@ws-errors/core"],
  esbuildPlugins: [
    {
      name: "adapters-share-the-engine",
      setup(build) {
        build.onResolve({ filter: /^\.\.\/index$/ }, (args) =>
          args.importer.includes("/adapters/") ? { path: "@ws-errors/server", external: true } : undefined,
        );
      },
    },
  ],
});
