import { PassThrough } from "node:stream";
import { stream } from "@netlify/functions";
import { lumiqtrace } from "@lumiqtrace/sdk";
import { withNetlify } from "@lumiqtrace/netlify";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const handler = withNetlify(
  stream(async () => {
    const body = new PassThrough();
    void (async () => {
      for (let i = 0; i < 4; i++) {
        await sleep(50);
        body.write(`part ${i}\n`);
      }
      // recorded after the last byte: delivered only if the flush waits for the body to end
      await lumiqtrace.span("after last part", async () => sleep(10));
      body.end();
    })();
    return { statusCode: 200, headers: { "content-type": "text/plain" }, body };
  }),
);
