import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["ws-errors-source", "module", "node", "import", "default"] },
  ssr: { resolve: { conditions: ["ws-errors-source", "module", "node", "import", "default"] } },
  test: {
    include: ["test/**/*.test.ts"],
    // Under CI a JSON report lets .ci/run print one "N passed, N failed" line for every package.
    reporters: process.env.CI ? ["default", ["json", { outputFile: "test-results.json" }]] : ["default"],
    typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
  },
});
