// A minimal batch of two events (an invocation span and its LLM span, in the protocol's shape) POSTed
// with node:http over a kept-alive connection to the local collector, answer read: what any tool's send
// costs at least, with no tool. Used by floor.mjs and by the netlify "bare POST" row.
import { randomBytes } from "node:crypto";
import http from "node:http";

const { LUMIQTRACE_BASE_URL, LUMIQTRACE_API_KEY } = process.env;
export const agent = new http.Agent({ keepAlive: true });
const hex = (bytes) => randomBytes(bytes).toString("hex");

export function batch() {
  const traceId = hex(16);
  const root = hex(8);
  const now = Date.now();
  const span = (spanId, parentSpanId, name, kind) => ({
    id: hex(16),
    type: "span",
    traceId,
    spanId,
    parentSpanId,
    name,
    kind,
    startTime: now - 1,
    endTime: now,
    status: "ok",
    attributes: {},
  });
  return JSON.stringify({
    sdk: { name: "bench-floor", version: "0" },
    sentAt: now,
    dropped: 0,
    events: [span(root, null, "POST /api/chat", "invocation"), span(hex(8), root, "chat", "llm")],
  });
}

export const postBatch = (body) =>
  new Promise((resolve, reject) => {
    const req = http.request(
      `${LUMIQTRACE_BASE_URL}/v1/batch`,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${LUMIQTRACE_API_KEY}`,
          "content-length": Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on("end", () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`)),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
