import { defineConfig } from "tsdown";

export default defineConfig({
  entry: ["src/index.ts", "src/index.static-als.ts"],
  format: ["esm", "cjs"],
  dts: true,
  platform: "neutral",
  target: "es2022",
  sourcemap: false,
  clean: true,
  deps: { neverBundle: [/^node:/] },
});
