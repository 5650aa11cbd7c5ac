// The layer: what Lambda unpacks into /opt. `extensions/lumiqtrace` (the launcher Lambda starts) and
// `lumiqtrace-extension/extension.mjs` (the extension, one bundled file with no dependencies).
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type ZipEntry, zip } from "./zip.js";

/** This package's root (dist/ is one level down). */
const packageDir = () => join(dirname(fileURLToPath(import.meta.url)), "..");

/** The layer's files, from this package's `extensions/` and built `dist/extension.mjs`. */
export function layerEntries(root: string = packageDir()): ZipEntry[] {
  return [
    { path: "extensions/", mode: 0o755 },
    { path: "extensions/lumiqtrace", mode: 0o755, data: readFileSync(join(root, "extensions/lumiqtrace")) },
    { path: "lumiqtrace-extension/", mode: 0o755 },
    {
      path: "lumiqtrace-extension/extension.mjs",
      mode: 0o644,
      data: readFileSync(join(root, "dist/extension.mjs")),
    },
  ];
}

/** Writes the layer's zip to `outFile` (default `lumiqtrace-extension.zip` here) and returns its absolute path. */
export function buildLayer(outFile = "lumiqtrace-extension.zip"): string {
  const path = resolve(outFile);
  writeFileSync(path, zip(layerEntries()));
  return path;
}

/** The AWS CLI line that publishes the zip as a layer (the layer is plain JavaScript and bash: any architecture). */
export function publishCommand(zipPath: string, layerName = "lumiqtrace-extension"): string {
  return [
    `aws lambda publish-layer-version --layer-name ${layerName}`,
    `--zip-file fileb://${zipPath}`,
    "--compatible-runtimes nodejs20.x nodejs22.x nodejs24.x",
    "--compatible-architectures x86_64 arm64",
  ].join(" \\\n  ");
}
