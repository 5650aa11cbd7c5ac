// Bundles the viewer's browser code (src/viewer/app.ts) with esbuild into a module whose default export is
// the script's text, which the server serves as /viewer.js. The same plugin runs in tsdown (the package)
// and in vitest (the tests run the server from source), so both serve the same script.
import { join } from "node:path";
import { build } from "esbuild";

export const VIEWER_SCRIPT_MODULE = "virtual:lumiqtrace-viewer-script";
const RESOLVED = `\0${VIEWER_SCRIPT_MODULE}`;
const ENTRY = join(import.meta.dirname, "..", "src", "viewer", "app.ts");

export function viewerScript() {
  return {
    name: "lumiqtrace-viewer-script",
    resolveId: (id: string) => (id === VIEWER_SCRIPT_MODULE ? RESOLVED : null),
    async load(this: { addWatchFile?(file: string): void }, id: string) {
      if (id !== RESOLVED) return null;
      const result = await build({
        entryPoints: [ENTRY],
        bundle: true,
        write: false,
        format: "iife",
        platform: "browser",
        target: "es2020",
        charset: "utf8",
        legalComments: "none",
        metafile: true,
        absWorkingDir: join(import.meta.dirname, ".."),
      });
      // watch modes rebuild when a viewer file changes
      for (const file of Object.keys(result.metafile.inputs))
        this.addWatchFile?.(join(import.meta.dirname, "..", file));
      return `export default ${JSON.stringify(result.outputFiles[0]!.text)};`;
    },
  };
}
