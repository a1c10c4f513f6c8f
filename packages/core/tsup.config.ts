import { readdirSync } from "node:fs";
import { defineConfig } from "tsup";

// One entry per generated catalog, so `@ws-errors/core/catalogs/<name>` loads only that catalog.
const catalogs = Object.fromEntries(
  readdirSync("src/generated")
    .filter((file) => file.endsWith(".ts"))
    .map((file) => [`catalogs/${file.slice(0, -3)}`, `src/generated/${file}`]),
);

export default defineConfig({
  entry: { index: "src/index.ts", ...catalogs },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "es2022",
  // Catalog modules import the runtime by package name so every entry point shares one copy of it.
  external: ["@ws-errors/core"],
});
