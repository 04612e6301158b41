import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["portcullis-source"] },
  ssr: { resolve: { conditions: ["portcullis-source"] } },
  test: {
    include: ["packages/*/src/**/*.test.ts", "packages/*/test/**/*.test.ts", "examples/*/test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
