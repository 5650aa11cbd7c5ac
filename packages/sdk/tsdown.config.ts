import { readFileSync } from "node:fs";
import { defineConfig } from "tsdown";

const { version } = JSON.parse(readFileSync(new URL("package.json", import.meta.url), "utf8")) as {
  version: string;
};

export default defineConfig({
  define: { __LUMIQTRACE_SDK_VERSION__: JSON.stringify(version) },
  entry: ["src/index.ts", "src/index.static-als.ts"],
  format: ["esm", "cjs"],
  dts: true,
  platform: "neutral",
  target: "es2022",
  sourcemap: false,
  clean: true,
  deps: { neverBundle: [/^node:/] },
});
