import { defineConfig } from "vitest/config";
import { viewerScript } from "./build/viewer-script.ts";

export default defineConfig({
  // the server imports the viewer's bundled script, as the package build makes it
  plugins: [viewerScript()],
  test: {
    include: ["src/**/*.test.ts", "e2e/**/*.test.ts"],
    // generous: CI runs on 2 cores, Chromium and child processes included
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
