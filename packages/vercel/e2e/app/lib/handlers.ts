// Route bodies shared by the Node and Edge routes, so both runtimes run the very same code.
import { lumiqtrace } from "@lumiqtrace/sdk";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A plain JSON answer made inside a child span, telling the trace it ran in. */
export async function plain(req: Request): Promise<Response> {
  const work = await lumiqtrace.span("work", async (span) => {
    await sleep(5);
    span.setAttribute("work.runtime", typeof (globalThis as any).EdgeRuntime === "string" ? "edge" : "node");
    return lumiqtrace.getTraceContext();
  });
  return Response.json({ traceId: work?.traceId, path: new URL(req.url).pathname });
}

export const CHUNKS = ["alpha ", "beta ", "gamma ", "delta"];

/** A streamed body: each chunk is written inside a span, so the spans show when the stream was read. */
export function streamed(): Response {
  const encoder = new TextEncoder();
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (i === CHUNKS.length) return controller.close();
      const chunk = CHUNKS[i++]!;
      await lumiqtrace.span(`chunk ${i}`, () => sleep(20));
      controller.enqueue(encoder.encode(chunk));
    },
  });
  return new Response(body, { headers: { "content-type": "text/plain; charset=utf-8" } });
}
