import { packageConfig } from "../../tsdown.base.ts";

// cli.ts is the `lumiqtrace` bin (dist/cli.mjs, keeps its #! line)
export default packageConfig({
  dir: import.meta.dirname,
  entry: ["src/index.ts", "src/cli.ts"],
  platform: "node",
});
