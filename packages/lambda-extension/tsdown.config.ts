import { defineConfig } from "tsdown";
import { packageConfig, versionOf } from "../../tsdown.base.ts";

const version = versionOf(import.meta.dirname);
export default [
  // the layer API and its CLI, as every package is built
  {
    ...packageConfig({
      dir: import.meta.dirname,
      entry: ["src/layer.ts", "src/layer-cli.ts"],
      platform: "node",
    }),
    shims: true,
    clean: false, // the two builds share dist/
  },
  // the extension itself: one ESM file with the SDK's delivery code and the protocol inside, lazily loaded
  // modules (the OTLP exporter) included, so that the layer needs nothing else
  defineConfig({
    cwd: import.meta.dirname,
    entry: { extension: "src/run.ts" },
    format: ["esm"],
    fixedExtension: true,
    platform: "node",
    target: "node20",
    dts: false,
    clean: false,
    sourcemap: false,
    define: {
      __LUMIQTRACE_EXTENSION_VERSION__: JSON.stringify(version),
      __LUMIQTRACE_SDK_VERSION__: JSON.stringify(versionOf(`${import.meta.dirname}/../sdk`)),
    },
    deps: { neverBundle: [/^node:/], alwaysBundle: [/./] },
    outputOptions: { codeSplitting: false },
  }),
];
