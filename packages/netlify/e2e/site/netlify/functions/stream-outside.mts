import { type HandlerContext, type HandlerEvent, stream } from "@netlify/functions";
import { lumiqtrace } from "@lumiqtrace/sdk";
import { withNetlify } from "@lumiqtrace/netlify";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// wrapped inside stream(): withNetlify sees the { statusCode, body: ReadableStream } result itself
export const handler = stream(
  withNetlify(async (_event: HandlerEvent, _context: HandlerContext) => {
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        for (const word of ["web", "stream", "body"]) {
          await sleep(30);
          controller.enqueue(encoder.encode(`${word}\n`));
        }
        await lumiqtrace.span("after last word", async () => sleep(10));
        controller.close();
      },
    });
    // the types of stream() name only Node streams; it pipes a web ReadableStream as well
    return { statusCode: 200, headers: { "content-type": "text/plain" }, body: body as never };
  }),
);
