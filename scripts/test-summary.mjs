// Adds up the vitest summaries that `turbo run test` printed (one per package) into one closing line:
// "N passed, N failed, N skipped". Usage: node scripts/test-summary.mjs <log file>
import { readFileSync } from "node:fs";

const ESC = String.fromCharCode(27);
const text = readFileSync(process.argv[2], "utf8").replaceAll(new RegExp(`${ESC}\\[[0-9;]*m`, "g"), "");
const total = { passed: 0, failed: 0, skipped: 0 };
let packages = 0;
for (const line of text.split("\n")) {
  const m = /^(?:\S+:test: )?\s*Tests\s+(.*)\(\d+\)\s*$/.exec(line);
  if (!m) continue;
  packages++;
  for (const [, n, kind] of m[1].matchAll(/(\d+) (passed|failed|skipped)/g)) total[kind] += Number(n);
}
console.log(`\n${packages} test suites`);
console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
