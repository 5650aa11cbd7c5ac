// Adds up vitest summaries ("Tests  3 failed | 120 passed (123)") into one count. A run that exited
// non-zero, or a turbo task that failed, without a summary of its own (vitest crashed, a global setup
// threw) counts as one failed test, so the closing line never hides a broken suite.
const ESC = String.fromCharCode(27);
const COLOURS = new RegExp(`${ESC}\\[[0-9;]*m`, "g");

/** @param {{ label: string, code: number, output: string }[]} runs */
export function summarize(runs) {
  const total = { passed: 0, failed: 0, skipped: 0, suites: 0, lines: [] };
  for (const run of runs) {
    const text = run.output.replaceAll(COLOURS, "");
    const summarised = new Set();
    for (const line of text.split("\n")) {
      const m = /^(?:(\S+):test: )?\s*Tests\s+(.*)\(\d+\)\s*$/.exec(line);
      if (!m) continue;
      total.suites++;
      summarised.add(m[1] ?? run.label);
      for (const [, n, kind] of m[2].matchAll(/(\d+) (passed|failed|skipped)/g)) total[kind] += Number(n);
    }
    // turbo names each task that failed: "Failed:    @lumiqtrace/vercel#test"
    const failedTasks = [...text.matchAll(/^Failed:\s+(\S+)#test\s*$/gm)].map((m) => m[1]);
    for (const task of failedTasks) {
      if (summarised.has(task)) continue;
      total.failed++;
      total.lines.push(`${task}: failed without a test summary (see its output above)`);
    }
    if (run.code !== 0 && summarised.size === 0 && failedTasks.length === 0) {
      total.failed++;
      total.lines.push(`${run.label}: exited ${run.code} without a test summary (see its output above)`);
    }
  }
  total.lines.unshift(
    `\n${total.suites} test suites${total.skipped ? `, ${total.skipped} tests skipped` : ""}`,
  );
  return total;
}
