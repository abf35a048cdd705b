import { defineConfig } from "vitest/config";

// The macOS suite: real Apple `container`, real VMs. Run with `KINA_E2E=1 npm run test:e2e`.
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.e2e.test.ts"],
    testTimeout: 20 * 60_000,
    hookTimeout: 10 * 60_000,
    pool: "forks",
    fileParallelism: false,
  },
});
