import { defineConfig } from "tsdown";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  dts: true,
  platform: "node",
  target: "node20",
  sourcemap: false,
  clean: true,
  deps: { neverBundle: [/^node:/, "@lumiqtrace/sdk", "@netlify/functions"] },
});
