import { defineConfig } from "tsdown";

export default defineConfig({
  // cli.ts is the `echo-model` bin (dist/cli.mjs, keeps its #! line)
  entry: ["src/index.ts", "src/cli.ts"],
  format: ["esm", "cjs"],
  dts: true,
  platform: "node",
  target: "node20",
  clean: true,
});
