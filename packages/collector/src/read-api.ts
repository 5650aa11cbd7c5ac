// The read API the viewer polls: GET /v1/traces, /v1/traces/:traceId and /v1/stats. Costs are estimated
// here, once, so the viewer (and any other reader) only shows them.
import { HttpError, sendJson } from "./http.js";
import type { Route } from "./router.js";
import type { Store } from "./store.js";
import type { TraceDetail } from "./api.js";
import { summarize, withCost } from "./trace.js";

function parseLimit(raw: string | null): number {
  if (raw === null) return 50;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 1000)
    throw new HttpError(400, "limit: expected an integer from 1 to 1000");
  return n;
}

export function readRoutes(store: Store): Route[] {
  return [
    {
      path: "/v1/traces",
      methods: {
        GET: {
          access: "private",
          handle: (_req, res, url) =>
            sendJson(res, 200, { traces: store.listTraces(parseLimit(url.searchParams.get("limit"))) }),
        },
      },
    },
    {
      path: /^\/v1\/traces\/([^/]+)$/,
      methods: {
        GET: {
          access: "private",
          handle(_req, res, _url, [encoded]) {
            let traceId: string;
            try {
              traceId = decodeURIComponent(encoded!);
            } catch {
              return sendJson(res, 400, { error: "malformed trace id in the path" });
            }
            const spans = store.getTrace(traceId);
            if (spans.length === 0) return sendJson(res, 404, { error: `no trace ${traceId}` });
            const detail: TraceDetail = { ...summarize(traceId, spans), spans: spans.map(withCost) };
            sendJson(res, 200, detail);
          },
        },
      },
    },
    {
      path: "/v1/stats",
      methods: { GET: { access: "private", handle: (_req, res) => sendJson(res, 200, store.stats()) } },
    },
  ];
}
