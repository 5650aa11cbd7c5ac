// Checks every published package (packages/* without "private": true) the way npm users will get it:
// builds it, packs it with pnpm (workspace:* becomes a version, `files` applies), then runs
//   1. publint (strict: warnings fail too) on the tarball,
//   2. @arethetypeswrong/cli on the tarball (node10, node16 CJS and ESM, bundler),
//   3. the README in the tarball: an install line, a code block near the top (the lines to paste), an
//      Options section, and for the SDK and adapters a Platform notes (or runtimes) section (issue 9),
//   4. our own runtime check: every export resolved with the conditions of each runtime the package
//      supports (node import/require, workerd, edge-light) must reach a file in the tarball, with types,
//      and the code a workerd / edge-light bundler gets must import no Node builtin that runtime lacks.
// Prints every problem and exits 1 if there is any.
//
// Usage: node scripts/package-quality.mjs [--no-build] [package-dir ...]
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// The tools are dev dependencies of the private bench/ workspace package (or of the root, if added there).
const requireTool = (name) => {
  for (const from of [join(root, "package.json"), join(root, "bench/package.json")]) {
    try {
      return createRequire(from).resolve(name);
    } catch {}
  }
  throw new Error(`${name} is not installed: run pnpm install at the root`);
};
const load = async (name) => {
  const mod = await import(pathToFileURL(requireTool(name)).href);
  return mod.default && Object.keys(mod).length <= 2 ? { ...mod.default, ...mod } : mod;
};
const { publint } = await load("publint");
const { formatMessage } = await load("publint/utils");
const esbuild = await load("esbuild");
const attwBin = join(dirname(requireTool("@arethetypeswrong/cli/package.json")), "dist/index.js");

/** Runtimes each package promises to run on (brief: the SDK's main entry and Hono run everywhere). */
const RUNTIMES = {
  "@lumiqtrace/sdk": ["node", "workerd", "edge-light"],
  "@lumiqtrace/hono": ["node", "workerd", "edge-light"],
  "@lumiqtrace/vercel": ["node", "edge-light"],
  "@lumiqtrace/cloudflare": ["workerd"],
};
/** The packages that run inside users' functions (the Lambda extension beside them): their README needs platform notes. */
const RUNTIME_PACKAGES = new Set([
  "@lumiqtrace/sdk",
  "@lumiqtrace/lambda",
  "@lumiqtrace/lambda-extension",
  "@lumiqtrace/netlify",
  "@lumiqtrace/vercel",
  "@lumiqtrace/hono",
  "@lumiqtrace/cloudflare",
  "@lumiqtrace/node",
]);
const CONDITIONS = {
  "node import": ["node", "import", "default"],
  "node require": ["node", "require", "default"],
  // What wrangler (workerd) and Next's edge compiler (edge-light) ask a package's exports for.
  workerd: ["workerd", "worker", "browser", "import", "default"],
  "edge-light": ["edge-light", "worker", "browser", "import", "default"],
};
/** Node builtins each non-Node runtime gives: workerd with `nodejs_als` (or `nodejs_compat`); Vercel Edge. */
const BUILTINS = {
  workerd: new Set(["async_hooks"]),
  "edge-light": new Set(["async_hooks", "buffer", "events", "util", "assert"]),
};

const args = process.argv.slice(2);
const noBuild = args.includes("--no-build");
const only = args.filter((a) => !a.startsWith("--"));
const dirs = (only.length ? only : readdirSync(join(root, "packages")).map((d) => join("packages", d)))
  .map((d) => join(root, d))
  .filter((d) => existsSync(join(d, "package.json")));

const scratch = mkdtempSync(join(tmpdir(), "lumiq-quality-"));
let problems = 0;
const fail = (what, detail) => {
  problems++;
  console.log(`  ✗ ${what}${detail ? `\n${detail.replace(/^/gm, "      ")}` : ""}`);
};

for (const dir of dirs) {
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  if (pkg.private) continue;
  console.log(`\n${pkg.name} (${dir.slice(root.length + 1)})`);

  if (!noBuild) {
    try {
      await run("pnpm", ["--filter", pkg.name, "build"], { cwd: root, maxBuffer: 64 << 20 });
    } catch (error) {
      fail(
        "does not build",
        `${error.stdout ?? ""}${error.stderr ?? ""}`.trim().split("\n").slice(-30).join("\n"),
      );
      continue;
    }
  }

  let tarball;
  try {
    const { stdout } = await run("pnpm", ["pack", "--pack-destination", scratch, "--json"], { cwd: dir });
    tarball = JSON.parse(stdout).filename;
  } catch (error) {
    fail("pnpm pack fails", String(error.stderr || error.message));
    continue;
  }

  // 1. publint, strict, on what `pnpm pack` publishes
  const { messages, pkg: packed } = await publint({
    pkgDir: dir,
    level: "suggestion",
    strict: true,
    pack: "pnpm",
  });
  if (!messages.some((m) => m.type !== "suggestion")) console.log("  ✓ publint (strict)");
  for (const m of messages) {
    const text = `publint ${m.type}: ${formatMessage(m, packed, { color: false }) ?? m.code}`;
    // Suggestions are advice (publint's own CLI exits 0 on them, even with --strict): shown, not failed.
    if (m.type === "suggestion") console.log(`  · ${text}`);
    else fail(text);
  }

  // 2. are the types wrong
  try {
    await run(
      process.execPath,
      [attwBin, tarball, "--format", "ascii", "--no-color", "--no-emoji", "--no-definitely-typed"],
      {
        maxBuffer: 16 << 20,
      },
    );
    console.log("  ✓ attw (node10, node16 CJS, node16 ESM, bundler)");
  } catch (error) {
    fail("attw", `${error.stdout ?? ""}${error.stderr ?? ""}`.trim());
  }

  const files = new Set((await listTarball(tarball)).map((f) => f.replace(/^package\//, "")));

  // 3. the README users land on: in the package, install line, the lines to paste, options, platform notes
  const readme = files.has("README.md") ? readFileSync(join(dir, "README.md"), "utf8") : undefined;
  if (!readme) fail("README.md is not in the package (add it, and list it in `files`)");
  else {
    const missing = [];
    if (!new RegExp(`(npm (i|install)|pnpm add|yarn add)[^\\n]*${pkg.name.replace("/", "\\/")}`).test(readme))
      missing.push(`an install line (\`npm install ${pkg.name}\`)`);
    if (!/^```/m.test(readme.split("\n").slice(0, 25).join("\n")))
      missing.push("a code block to paste near the top");
    if (!/^#+ .*(options|configuration)/im.test(readme)) missing.push('an "Options" section');
    if (RUNTIME_PACKAGES.has(pkg.name) && !/^#+ .*(platform|runtime|notes)/im.test(readme))
      missing.push('a "Platform notes" (or "Runtimes", "Notes") section');
    if (missing.length) fail(`README.md lacks ${missing.join(", ")}`);
    else console.log("  ✓ README: install, lines to paste, options, platform notes");
  }

  // 4. every runtime's conditions reach a typed file in the tarball, and edge code imports what exists there
  const subpaths =
    typeof packed.exports === "object" &&
    packed.exports !== null &&
    Object.keys(packed.exports)[0]?.startsWith(".")
      ? Object.keys(packed.exports).filter((k) => !k.endsWith(".json") && !k.includes("*"))
      : ["."];
  for (const subpath of subpaths) {
    for (const runtime of RUNTIMES[pkg.name] ?? ["node"]) {
      for (const [label, conditions] of Object.entries(CONDITIONS)) {
        if (!label.startsWith(runtime)) continue;
        const where = `${label}: exports["${subpath}"]`;
        const target = resolveExport(packed.exports, subpath, conditions);
        const types = resolveExport(packed.exports, subpath, ["types", ...conditions]);
        if (!target) {
          fail(`${where} has nothing for conditions ${conditions.join(", ")}`);
          continue;
        }
        if (!files.has(target.replace(/^\.\//, "")))
          fail(`${where} -> ${target}, which is not in the package`);
        else if (!types || !files.has(types.replace(/^\.\//, "")))
          fail(`${where} -> ${target}, which has no types`);
        else if (BUILTINS[runtime]) {
          const imports = await builtinImports(join(dir, target), conditions, pkg);
          const missing = imports.filter((b) => !BUILTINS[runtime].has(b.replace(/^node:/, "")));
          if (missing.length)
            fail(`${where} -> ${target} imports ${missing.join(", ")}, which ${runtime} does not provide`);
          else
            console.log(
              `  ✓ ${where} -> ${target}${imports.length ? ` (imports ${imports.join(", ")})` : ""}`,
            );
        } else console.log(`  ✓ ${where} -> ${target}`);
      }
    }
  }
}

rmSync(scratch, { recursive: true, force: true });
console.log(problems ? `\n${problems} problem(s): see above` : "\nall published packages are clean");
process.exitCode = problems ? 1 : 0;

/** Node's exports resolution for one subpath and a set of conditions (first match in key order). */
function resolveExport(exports, subpath, conditions) {
  if (exports == null) return undefined;
  let entry =
    typeof exports === "string" || Array.isArray(exports) || !Object.keys(exports)[0]?.startsWith(".")
      ? subpath === "."
        ? exports
        : undefined
      : exports[subpath];
  for (;;) {
    if (entry == null) return undefined;
    if (typeof entry === "string") return entry;
    if (Array.isArray(entry)) {
      entry = entry[0];
      continue;
    }
    const key = Object.keys(entry).find((k) => k === "default" || conditions.includes(k));
    if (!key) return undefined;
    entry = entry[key];
  }
}

async function listTarball(tarball) {
  const { stdout } = await run("tar", ["-tzf", tarball], { maxBuffer: 16 << 20 });
  return stdout.split("\n").filter(Boolean);
}

/** The Node builtins the code a bundler makes from `file` (dependencies included, peers not) imports. */
async function builtinImports(file, conditions, pkg) {
  const result = await esbuild.build({
    entryPoints: [file],
    bundle: true,
    write: false,
    metafile: true,
    platform: "neutral",
    format: "esm",
    conditions: conditions.filter((c) => c !== "import" && c !== "default"),
    mainFields: ["module", "main"],
    external: ["node:*", ...builtinNames(), ...Object.keys(pkg.peerDependencies ?? {})],
    logLevel: "silent",
  });
  const found = new Set();
  for (const input of Object.values(result.metafile.inputs)) {
    for (const imp of input.imports) {
      if (imp.external && (imp.path.startsWith("node:") || builtinNames().includes(imp.path)))
        found.add(imp.path);
    }
  }
  return [...found].sort();
}

function builtinNames() {
  return createRequire(import.meta.url)("node:module").builtinModules;
}
