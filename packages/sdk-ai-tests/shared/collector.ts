// Where the suite's spans go and are read back: the local collector, in this process, or (for a run on
// a Node the collector's SQLite binding was not built for, as ai 7 on Node 22) its CLI in a child
// process on the machine's own Node, read through its HTTP read API.
import { fileURLToPath } from "node:url";
import { type SpanEvent, startCollector } from "@lumiqtrace/collector";
import { freePort, startProcess } from "@lumiqtrace/test-kit";

export interface SpanStore {
  url: string;
  apiKey: string;
  /** Every span stored so far. */
  spans(): Promise<SpanEvent[]>;
  close(): Promise<void>;
}

export async function startSpanStore(collectorNode?: string): Promise<SpanStore> {
  if (!collectorNode) {
    const c = await startCollector({ port: 0 });
    return {
      url: c.url,
      apiKey: c.apiKey,
      spans: async () => c.events as SpanEvent[],
      close: () => c.close(),
    };
  }
  const port = await freePort();
  const apiKey = "lq_local_ai_suite_key";
  const cli = fileURLToPath(new URL("../../collector/dist/cli.mjs", import.meta.url));
  const child = await startProcess({
    command: collectorNode,
    args: [cli, "dev", "--port", String(port), "--memory"],
    env: { LUMIQTRACE_API_KEY: apiKey },
    ready: (output) => output.includes("listening on"),
  });
  const url = `http://127.0.0.1:${port}`;
  const get = async (path: string) => {
    const res = await fetch(url + path, { headers: { authorization: `Bearer ${apiKey}` } });
    return res.json() as Promise<any>;
  };
  return {
    url,
    apiKey,
    async spans() {
      const { traces } = await get("/v1/traces?limit=1000");
      const all = await Promise.all(traces.map((t: { traceId: string }) => get(`/v1/traces/${t.traceId}`)));
      return all.flatMap((t) => t.spans as SpanEvent[]);
    },
    close: () => child.stop(),
  };
}

/** Polls `store` until `ready(spans)`, for at most 5 s; returns the spans either way. */
export async function waitForSpans(store: SpanStore, ready: (spans: SpanEvent[]) => boolean) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const spans = await store.spans();
    if (ready(spans) || Date.now() > deadline) return spans;
    await new Promise((r) => setTimeout(r, 20));
  }
}
