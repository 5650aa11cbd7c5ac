// One batch POST to the local collector, as the SDK sends it on Node (its kept-alive HTTP/1.1 client over
// node:net, packages/sdk/src/http1.ts), beside node:http with a keep-alive agent and fetch (undici), each
// in fresh processes, the collector in a process of its own: the time of one awaited send and the CPU it
// costs the sending process. The same two-event batch every time. Prints a table.
//
// Knobs (env): TRANSPORT_RUNS fresh processes per client (default 3), TRANSPORT_SENDS timed sends per
// process after 50 warm-up (default 500).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { startReceivers } from "./compare/receivers.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const scratch = mkdtempSync(join(tmpdir(), "lumiq-transport-bench-"));
const runs = Number(process.env.TRANSPORT_RUNS ?? 3);
const sends = Number(process.env.TRANSPORT_SENDS ?? 500);
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// the SDK's transport from source (it is internal: not an export of the package)
const transport = join(scratch, "transport.mjs");
await build({
  entryPoints: [join(root, "packages/sdk/src/transport.ts")],
  bundle: true,
  format: "esm",
  platform: "node",
  outfile: transport,
  logLevel: "silent",
});

const child = join(scratch, "child.mjs");
writeFileSync(
  child,
  `import http from "node:http";
import { performance } from "node:perf_hooks";
import { writeFileSync } from "node:fs";
import { batch } from ${JSON.stringify(join(here, "compare/shared/bare-post.mjs"))};
import { postBody, transportChoice } from ${JSON.stringify(transport)};
const { URL_BASE, KEY, CLIENT, OUT, SENDS } = process.env;
const url = URL_BASE + "/v1/batch";
const headers = { authorization: "Bearer " + KEY, "content-type": "application/json" };
const agent = new http.Agent({ keepAlive: true });
const clients = {
  "ours (http1.ts)": (body) => { transportChoice.force = "node"; return postBody(url, headers, body, 5000).then((a) => a.status); },
  "node:http, keep-alive agent": (body) => new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", agent, headers: { ...headers, "content-length": Buffer.byteLength(body) } }, (res) => { res.resume(); res.on("end", () => resolve(res.statusCode)); });
    req.on("error", reject);
    req.end(body);
  }),
  "fetch (undici)": (body) => fetch(url, { method: "POST", headers, body }).then(async (r) => { await r.arrayBuffer(); return r.status; }),
};
const send = clients[CLIENT];
const times = [];
let cpu = 0;
for (let i = 0; i < 50 + Number(SENDS); i++) {
  const body = batch();
  const c = process.cpuUsage();
  const t = performance.now();
  const status = await send(body);
  const dt = performance.now() - t;
  const used = process.cpuUsage(c);
  if (status !== 200) throw new Error(CLIENT + ": HTTP " + status);
  if (i >= 50) { times.push(dt); cpu += used.user + used.system; }
}
agent.destroy();
writeFileSync(OUT, JSON.stringify({ times, cpuPerSendMs: cpu / Number(SENDS) / 1000, rssMb: process.resourceUsage().maxRSS / 1024 }));
`,
);

const receivers = await startReceivers(root);
const env = { ...process.env, URL_BASE: receivers.collectorUrl, KEY: receivers.apiKey, SENDS: String(sends) };
const names = ["ours (http1.ts)", "node:http, keep-alive agent", "fetch (undici)"];
const results = Object.fromEntries(names.map((n) => [n, []]));
try {
  for (let r = 0; r < runs; r++) {
    for (const name of names) {
      const out = join(scratch, `out-${r}.json`);
      execFileSync(process.execPath, [child], { env: { ...env, CLIENT: name, OUT: out }, stdio: "inherit" });
      results[name].push(JSON.parse(readFileSync(out, "utf8")));
    }
  }
} finally {
  await receivers.stop();
}

console.log(
  `${runs} fresh processes per client, ${sends} timed sends each after 50 warm-up, to the local collector`,
);
console.log("| client | one send, median | CPU per send | peak RSS |");
console.log("|---|---|---|---|");
for (const name of names) {
  const rs = results[name];
  const t = median(rs.flatMap((x) => x.times));
  const cpu = median(rs.map((x) => x.cpuPerSendMs));
  const rss = median(rs.map((x) => x.rssMb));
  console.log(`| ${name} | ${t.toFixed(3)} ms | ${cpu.toFixed(3)} ms | ${rss.toFixed(1)} MB |`);
}
