// Size budgets for every published entry point: the entry (from dist/, so build first) bundled with
// esbuild the way a user's bundler would take it (dependencies bundled, peer dependencies and Node
// builtins left out, minified, code split), gzipped at level 9, compared to scripts/size-limit.json.
// What the entry loads only through a dynamic import (the OTLP exporter) is shown beside it, apart.
//
// Entry points: exports["."] of the SDK and of each adapter in packages/ that is not private, with the
// default conditions (import; platform neutral, as edge and worker bundlers resolve) and, where
// exports["."] has a `node` condition, once more with it (platform node). The Node-only adapters (Lambda,
// Netlify, Node servers) are measured for Node only.
//
//   node scripts/size-limit.mjs            check; exit 1 with the reason when one is over or has no budget
//   node scripts/size-limit.mjs --update   set every budget to the measured size + 5% (at least 200 B)
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { builtinModules, createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const budgetFile = join(dirname(fileURLToPath(import.meta.url)), "size-limit.json");
const update = process.argv.includes("--update");
const margin = (bytes) => Math.ceil(Math.max(bytes * 1.05, bytes + 200));

// esbuild is a dev dependency of the private bench/ package (or of the root, if added there).
const esbuildPath = [join(root, "package.json"), join(root, "bench/package.json")]
  .map((from) => {
    try {
      return createRequire(from).resolve("esbuild");
    } catch {
      return undefined;
    }
  })
  .find(Boolean);
if (!esbuildPath) throw new Error("esbuild is not installed: run pnpm install at the root");
const esbuildModule = await import(pathToFileURL(esbuildPath).href);
const { build } = esbuildModule.build ? esbuildModule : esbuildModule.default;

// What users bundle into their functions: the SDK and the adapters (not the collector, a dev tool).
const BUNDLED_BY_USERS = ["sdk", "lambda", "netlify", "vercel", "hono", "cloudflare", "node"];
const NODE_ONLY = new Set(["lambda", "netlify", "node"]);
const entries = [];
for (const dir of BUNDLED_BY_USERS) {
  const pkgDir = join(root, "packages", dir);
  if (!existsSync(join(pkgDir, "package.json"))) {
    console.log(`@lumiqtrace/${dir}: not there yet, no budget checked`);
    continue;
  }
  const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  if (pkg.private) continue;
  const dot = typeof pkg.exports === "object" && pkg.exports !== null ? pkg.exports["."] : undefined;
  // Lambda and Netlify Functions run on Node only: bundled for Node, as users' bundlers do there.
  if (!NODE_ONLY.has(dir)) entries.push({ pkg, pkgDir, condition: "default", platform: "neutral" });
  if (NODE_ONLY.has(dir) || (dot && typeof dot === "object" && "node" in dot))
    entries.push({ pkg, pkgDir, condition: "node", platform: "node" });
}

const budgets = existsSync(budgetFile) ? JSON.parse(readFileSync(budgetFile, "utf8")) : {};
const measured = {};
const failures = [];
const kb = (b) => `${(b / 1024).toFixed(2)} KB`;

for (const { pkg, pkgDir, condition, platform } of entries) {
  const key = `${pkg.name} (${condition})`;
  let code;
  let lazy = 0;
  try {
    const result = await build({
      // Imported by name from inside the package: `exports` and its conditions decide the file.
      stdin: { contents: `export * from ${JSON.stringify(pkg.name)};`, resolveDir: pkgDir, loader: "js" },
      bundle: true,
      write: false,
      // Code split, as the bundlers of Next, Vercel and Workers can: what the entry loads only with a
      // dynamic import (the OTLP exporter) is a chunk of its own, counted apart and not in the budget.
      splitting: true,
      outdir: join(root, ".size-limit"),
      metafile: true,
      minify: true,
      format: "esm",
      platform,
      target: "es2022",
      mainFields: ["module", "main"],
      conditions: condition === "node" ? ["node"] : [],
      external: ["node:*", ...builtinModules, ...Object.keys(pkg.peerDependencies ?? {})],
      logLevel: "silent",
    });
    // the entry and every chunk it imports statically; the rest is loaded only when used
    const outputs = result.metafile.outputs;
    const eager = new Set();
    const visit = (out) => {
      if (eager.has(out)) return;
      eager.add(out);
      for (const imp of outputs[out].imports)
        if (imp.kind === "import-statement" && outputs[imp.path]) visit(imp.path);
    };
    visit(Object.keys(outputs).find((out) => outputs[out].entryPoint !== undefined));
    const relative = (file) => file.path.slice(root.length + 1);
    code = Buffer.concat(result.outputFiles.filter((f) => eager.has(relative(f))).map((f) => f.contents));
    for (const f of result.outputFiles) if (!eager.has(relative(f))) lazy += f.contents.length;
  } catch (error) {
    failures.push(
      `${key}: does not bundle (is it built? run pnpm build): ${(error.errors ?? []).map((e) => e.text).join("; ") || error.message.split("\n")[0]}`,
    );
    continue;
  }
  const gzip = gzipSync(code, { level: 9 }).length;
  measured[key] = { minified: code.length, gzip };
  const budget = budgets[key];
  const line = `${key.padEnd(44)} ${kb(code.length).padStart(10)} min  ${kb(gzip).padStart(10)} gzip${lazy ? `  (+ ${kb(lazy)} min loaded only when used)` : ""}`;
  if (update) {
    console.log(line);
    continue;
  }
  if (!budget) {
    console.log(`${line}   no budget`);
    failures.push(
      `${key}: no budget in scripts/size-limit.json (a new entry point? run node scripts/size-limit.mjs --update)`,
    );
    continue;
  }
  const over = [];
  if (gzip > budget.gzip)
    over.push(`${kb(gzip)} gzipped, budget ${kb(budget.gzip)} (+${gzip - budget.gzip} B)`);
  if (code.length > budget.minified)
    over.push(
      `${kb(code.length)} minified, budget ${kb(budget.minified)} (+${code.length - budget.minified} B)`,
    );
  console.log(`${line}   budget ${kb(budget.gzip)} gzip ${over.length ? "OVER" : "ok"}`);
  if (over.length) failures.push(`${key} is over its size budget: ${over.join("; ")}`);
}

if (update) {
  const next = {};
  for (const [key, size] of Object.entries(measured))
    next[key] = { minified: margin(size.minified), gzip: margin(size.gzip) };
  writeFileSync(budgetFile, `${JSON.stringify(next, null, 2)}\n`);
  console.log(`\nbudgets written to scripts/size-limit.json (measured + 5%, at least 200 B)`);
}
if (failures.length) {
  console.error(`\nsize-limit failed:\n${failures.map((f) => `  - ${f}`).join("\n")}`);
  console.error(
    "If the growth is intended, run `node scripts/size-limit.mjs --update` and commit scripts/size-limit.json with the reason.",
  );
  process.exitCode = 1;
}
