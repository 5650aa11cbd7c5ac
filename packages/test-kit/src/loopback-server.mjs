// A real HTTP server on 127.0.0.1 that records every request (gzip bodies decoded) and answers as
// scripted, one script step per request: a status (with headers and body), a delay, a hang, or a
// connection reset. Once the script is used up it answers 200. With `record: false` it keeps nothing
// (a sink for benchmarks, so memory stays flat).
import { createServer } from "node:http";
import { gunzipSync } from "node:zlib";

function parse(raw, headers) {
  const bytes = headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw;
  if (!String(headers["content-type"] ?? "").includes("json")) return bytes;
  try {
    return JSON.parse(bytes.toString());
  } catch {
    return bytes.toString();
  }
}

export async function startLoopbackServer({ record = true } = {}) {
  const steps = [];
  const requests = [];
  const answered = [];
  const hung = new Set();

  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => record && chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const request = record
        ? {
            method: req.method ?? "",
            path: req.url ?? "",
            headers: req.headers,
            rawBytes: raw.length,
            body: parse(raw, req.headers),
          }
        : undefined;
      if (request) requests.push(request);
      const step = steps.shift() ?? { status: 200 };
      if (step.hang) {
        hung.add(res);
        res.on("close", () => hung.delete(res));
        return;
      }
      if (step.reset) {
        req.socket.destroy();
        return;
      }
      const answer = () => {
        if (request) {
          request.answeredAt = Date.now();
          answered.push({ request, status: step.status });
        }
        res.writeHead(step.status, { "content-type": "application/json", ...step.headers });
        const events = request?.body?.events;
        res.end(
          step.body ?? JSON.stringify({ accepted: Array.isArray(events) ? events.length : 0, duplicates: 0 }),
        );
      };
      if (step.delayMs) setTimeout(answer, step.delayMs);
      else answer();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    delivered: () =>
      answered
        .filter((a) => a.status < 300)
        .flatMap((a) => (Array.isArray(a.request.body?.events) ? a.request.body.events : [])),
    script: (...s) => steps.push(...s),
    reset: () => {
      steps.length = 0;
      requests.length = 0;
      answered.length = 0;
    },
    close: () =>
      new Promise((resolve) => {
        for (const res of hung) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
