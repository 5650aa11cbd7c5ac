import type { UserConfig } from "tsdown";
import { packageConfig, versionOf } from "../../tsdown.base.ts";
import { viewerScript } from "./build/viewer-script.ts";

// cli.ts is the `lumiqtrace` bin (dist/cli.mjs, keeps its #! line); the viewer's script is bundled in
const config: UserConfig = {
  ...packageConfig({
    dir: import.meta.dirname,
    entry: ["src/index.ts", "src/cli.ts"],
    platform: "node",
    define: { __LUMIQTRACE_COLLECTOR_VERSION__: JSON.stringify(versionOf(import.meta.dirname)) },
  }),
  plugins: [viewerScript()],
};

export default config;
