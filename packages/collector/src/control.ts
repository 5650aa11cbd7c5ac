// The fault controls over HTTP: GET, POST and DELETE /_control/faults.
import { checkFaultSpec, type createFaults, type FaultSpec } from "./faults.js";
import { readBody, sendJson } from "./http.js";
import type { Route } from "./router.js";

const MAX_SPEC_BYTES = 64 * 1024;

export function controlRoutes(faults: ReturnType<typeof createFaults>): Route[] {
  return [
    {
      path: "/_control/faults",
      methods: {
        GET: { access: "private", handle: (_req, res) => sendJson(res, 200, { faults: faults.get() }) },
        POST: {
          access: "private",
          async handle(req, res) {
            const { raw, tooLarge } = await readBody(req, MAX_SPEC_BYTES);
            // JSON only, so a web page elsewhere cannot set faults with a simple cross-origin form post
            if (!/^application\/json\b/i.test(req.headers["content-type"] ?? "")) {
              return sendJson(res, 415, { error: "send the fault spec as application/json" });
            }
            if (tooLarge) return sendJson(res, 413, { error: "fault spec too large" });
            let spec: FaultSpec;
            try {
              spec = checkFaultSpec(JSON.parse(raw.toString("utf8")));
            } catch (err) {
              return sendJson(res, 400, { error: (err as Error).message });
            }
            faults.set(spec);
            sendJson(res, 200, { faults: faults.get() });
          },
        },
        DELETE: {
          access: "private",
          async handle(req, res) {
            await readBody(req, MAX_SPEC_BYTES);
            faults.set(null);
            sendJson(res, 200, { faults: null });
          },
        },
      },
    },
  ];
}
