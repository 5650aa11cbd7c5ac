import { packageConfig, versionOf } from "../../tsdown.base.ts";

export default packageConfig({
  dir: import.meta.dirname,
  entry: {
    index: "src/index.ts",
    "index.static-als": "src/index.static-als.ts",
    serverless: "src/serverless/index.ts",
    "serverless.static-als": "src/serverless/static-als.ts",
    ai: "src/ai/index.ts",
    anthropic: "src/anthropic/index.ts",
  },
  define: { __LUMIQTRACE_SDK_VERSION__: JSON.stringify(versionOf(import.meta.dirname)) },
});
