import { packageConfig, versionOf } from "../../tsdown.base.ts";

// cli.ts is the `lumiqtrace` bin (dist/cli.mjs, keeps its #! line)
export default packageConfig({
  dir: import.meta.dirname,
  entry: ["src/index.ts", "src/cli.ts"],
  platform: "node",
  define: { __LUMIQTRACE_COLLECTOR_VERSION__: JSON.stringify(versionOf(import.meta.dirname)) },
});
