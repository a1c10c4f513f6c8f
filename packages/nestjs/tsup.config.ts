import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
  external: [/^@nestjs\//, "@ws-errors/core", "@ws-errors/node", "rxjs", "ws"],
});
