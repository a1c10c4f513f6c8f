import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** The vitest configuration every package shares: sources through the `ws-errors-source` condition, type tests, and a JSON report under CI. */
export function packageConfig() {
  const conditions = ["ws-errors-source", "node", "import", "default"];
  return defineConfig({
    resolve: { conditions },
    ssr: { resolve: { conditions } },
    test: {
      include: ["test/**/*.test.ts"],
      // Several suites spawn processes (curl, the AsyncAPI parser, git, a browser); with turbo
      // running every package's tests at once on 2 cores, 5 s is too tight for them.
      testTimeout: 20_000,
      // Under CI a JSON report lets .ci/run print one "N passed, N failed" line for every package.
      reporters: process.env.CI ? ["default", ["json", { outputFile: "test-results.json" }]] : ["default"],
      // Through vitest.tsc.mjs: tsc without incremental state, which let type tests read stale results.
      typecheck: {
        enabled: true,
        include: ["test/**/*.test-d.ts"],
        tsconfig: "./tsconfig.json",
        checker: fileURLToPath(new URL("./vitest.tsc.mjs", import.meta.url)),
      },
    },
  });
}
