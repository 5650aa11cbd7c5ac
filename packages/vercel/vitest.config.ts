import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "e2e/**/*.test.ts"],
    // e2e: `next build` of the test app runs once per test run, here
    globalSetup: ["e2e/build-app.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
