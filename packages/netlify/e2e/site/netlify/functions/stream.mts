import { lumiqtrace } from "@lumiqtrace/sdk";
import { type Config, withNetlify } from "@lumiqtrace/netlify";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export default withNetlify(async () => {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      for (let i = 0; i < 5; i++) {
        await sleep(50);
        controller.enqueue(encoder.encode(`chunk ${i}\n`));
      }
      // recorded after the last byte: delivered only if the flush waits for the body to end
      await lumiqtrace.span("after last chunk", async () => sleep(10));
      controller.close();
    },
  });
  return new Response(body, { headers: { "content-type": "text/plain; charset=utf-8" } });
});

export const config: Config = { path: "/api/stream" };
