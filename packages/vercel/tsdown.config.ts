import { defineConfig } from "tsdown";

export default defineConfig({
  entry: ["src/index.ts", "src/functions.ts"],
  format: ["esm", "cjs"],
  dts: true,
  platform: "neutral",
  target: "es2022",
  sourcemap: false,
  clean: true,
  deps: { neverBundle: [/^node:/, /^next(\/|$)/, /^@lumiqtrace\/sdk$/] },
});
