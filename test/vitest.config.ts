import { defineConfig } from "vitest/config";

// Integration tests spawn the built CLI and the project's doubles, so they need more than the
// default 5 s; nothing here is a timing assertion.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "test/e2e/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
