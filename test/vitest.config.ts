import { defineConfig } from "vitest/config";

// Integration tests spawn the built CLI and the project's doubles, so they need more than the
// default 5 s; nothing here is a timing assertion.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "test/e2e/**"],
    // Generous: a loaded 2-core machine runs a whole create in 10-40 s; a hang still fails.
    testTimeout: 180_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Most of a test's time is spent waiting on child processes (kina, the doubles), not on the
    // CPU: two files at once roughly halve the suite on a 2-core CI machine.
    maxWorkers: 2,
  },
});
