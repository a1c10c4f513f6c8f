import { defineConfig } from "vitest/config";

/** The vitest configuration every package shares: sources through the `ws-errors-source` condition, type tests, and a JSON report under CI. */
export function packageConfig() {
  const conditions = ["ws-errors-source", "node", "import", "default"];
  return defineConfig({
    resolve: { conditions },
    ssr: { resolve: { conditions } },
    test: {
      include: ["test/**/*.test.ts"],
      // Under CI a JSON report lets .ci/run print one "N passed, N failed" line for every package.
      reporters: process.env.CI ? ["default", ["json", { outputFile: "test-results.json" }]] : ["default"],
      typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
    },
  });
}
