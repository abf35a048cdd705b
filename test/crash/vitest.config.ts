import { defineConfig } from "vitest/config";

// The crash matrix (npm run test:crash): every `container` call and API write of create, multi-node
// create and start, killed with SIGKILL before and after, then recovered. Runs the built dist/.
export default defineConfig({
  test: {
    // Not *.test.ts: npm test (test/vitest.config.ts) must not pick these up.
    include: ["test/crash/**/*.crash.ts"],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: "forks",
    // Each run waits mostly on child processes; two files at once fill the 2-core CI machine.
    maxWorkers: 2,
  },
});
