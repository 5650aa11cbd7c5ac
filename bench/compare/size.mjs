// The published entries' sizes as CI measures them: scripts/size-limit.mjs is run as it is (a script, not
// a module: importing it would run its checks in this process) and its lines are read back. It prints KB
// (1024 B) with two decimals, so a size is known to about 5 B.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

const LINE =
  /^(@lumiqtrace\/\S+ \(\w+\))\s+([\d.]+) KB min\s+([\d.]+) KB gzip(?:\s+\(\+ ([\d.]+) KB min loaded only when used\))?/;

/** `{ sizes: { "@lumiqtrace/sdk (node)": { minified, gzip, lazyMinified } } }` in bytes, or `{ problem }`. */
export async function entrySizes(root) {
  let out;
  try {
    out = await promisify(execFile)(process.execPath, [join(root, "scripts/size-limit.mjs")], { cwd: root });
  } catch (error) {
    out = error; // exit 1 when an entry is over its budget or has none: the sizes are printed all the same
  }
  const sizes = {};
  for (const line of String(out.stdout ?? "").split("\n")) {
    const m = line.match(LINE);
    if (!m) continue;
    const bytes = (x) => (x == null ? 0 : Math.round(Number(x) * 1024));
    sizes[m[1]] = { minified: bytes(m[2]), gzip: bytes(m[3]), lazyMinified: bytes(m[4]) };
  }
  if (Object.keys(sizes).length) return { sizes };
  return {
    problem: `scripts/size-limit.mjs printed no size: ${String(out.stderr ?? out.message)
      .trim()
      .slice(0, 300)}`,
  };
}
