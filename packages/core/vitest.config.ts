import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["ws-errors-source", "module", "node", "import", "default"] },
  ssr: { resolve: { conditions: ["ws-errors-source", "module", "node", "import", "default"] } },
  test: {
    include: ["test/**/*.test.ts"],
    typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
  },
});
