import { defineConfig } from "vitest/config";

// Browser tests: Chromium against the emulators (run inside `firebase emulators:exec` by npm test).
export default defineConfig({
  test: {
    environment: "node",
    include: ["e2e/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    pool: "forks",
  },
});
