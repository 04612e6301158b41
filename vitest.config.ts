import { defineConfig } from "vitest/config";

// vitest 5 declares Node 22; on Node 20 its reporter calls Map.groupBy (Node 21+) when it prints a failure.
// This keeps failures readable on Node 20 (the tests themselves never rely on it).
const mapWithGroupBy = Map as MapConstructor & { groupBy?: unknown };
if (typeof mapWithGroupBy.groupBy !== "function") {
  Object.defineProperty(Map, "groupBy", {
    configurable: true,
    writable: true,
    value<K, T>(items: Iterable<T>, key: (item: T, index: number) => K): Map<K, T[]> {
      const groups = new Map<K, T[]>();
      let index = 0;
      for (const item of items) {
        const k = key(item, index++);
        const group = groups.get(k);
        if (group) group.push(item);
        else groups.set(k, [item]);
      }
      return groups;
    },
  });
}

export default defineConfig({
  resolve: { conditions: ["portcullis-source"] },
  ssr: { resolve: { conditions: ["portcullis-source"] } },
  test: {
    include: ["packages/*/src/**/*.test.ts", "packages/*/test/**/*.test.ts", "examples/*/test/**/*.test.ts", "test/*/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
