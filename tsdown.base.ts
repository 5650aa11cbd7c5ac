// The one build config of every package: ESM and CJS with types, the same file names everywhere
// (`.mjs`/`.cjs`, `.d.mts`/`.d.cts`), Node builtins and our own published packages left as imports.
// A package's tsdown.config.ts says only what is its own: entries, platform, what else stays external.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { defineConfig, type UserConfig } from "tsdown";

export interface PackageBuild {
  /** The package directory (`import.meta.dirname` of its tsdown.config.ts). */
  dir: string;
  /** Source files, or `{ outputName: sourceFile }` where the output's name differs. */
  entry: string[] | Record<string, string>;
  /** `node` for packages that run on Node only; `neutral` (default) for those that run on every runtime. */
  platform?: "node" | "neutral";
  /** More imports to leave as they are (peer dependencies such as `next`, `hono`). */
  external?: (string | RegExp)[];
  /** Replaced at build time, e.g. the package's version. */
  define?: Record<string, string>;
}

/** The package's own version, for `define`. */
export function versionOf(dir: string): string {
  return (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string }).version;
}

export function packageConfig(build: PackageBuild): UserConfig {
  return defineConfig({
    cwd: build.dir,
    entry: build.entry,
    format: ["esm", "cjs"],
    fixedExtension: true,
    dts: true,
    platform: build.platform ?? "neutral",
    target: build.platform === "node" ? "node20" : "es2022",
    sourcemap: false,
    clean: true,
    define: build.define,
    // Published @lumiqtrace packages are dependencies, never copied in; the private protocol package is
    // (types and names of the wire format), so no published package depends on it.
    deps: {
      neverBundle: [/^node:/, /^@lumiqtrace\/(?!protocol)/, ...(build.external ?? [])],
      alwaysBundle: [/^@lumiqtrace\/protocol/],
    },
  });
}
