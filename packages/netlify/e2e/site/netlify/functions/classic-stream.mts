import { stream } from "@netlify/functions";
import { lumiqtrace } from "@lumiqtrace/sdk";
import { withNetlify } from "@lumiqtrace/netlify";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const handler = withNetlify(
  stream(async () => {
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        for (let i = 0; i < 4; i++) {
          await sleep(50);
          controller.enqueue(encoder.encode(`part ${i}\n`));
        }
        await lumiqtrace.span("after last part", async () => sleep(10));
        controller.close();
      },
    });
    return { statusCode: 200, headers: { "content-type": "text/plain" }, body };
  }),
);
