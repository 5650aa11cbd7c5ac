import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "e2e/**/*.test.ts"],
    // generous: CI runs on 2 cores, Chromium and child processes included
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
