import { lumiqtrace } from "@lumiqtrace/sdk";
import { type Config, withNetlify } from "@lumiqtrace/netlify";

// The test makes the collector hold the batch for seconds: let one send wait that long (the key and URL
// still come from the environment), and the flush take up to 20 s, in the background.
lumiqtrace.init({ timeoutMs: 30_000 });

export default withNetlify(
  async () => {
    await lumiqtrace.span("work", async () => "done");
    return new Response("fast");
  },
  { flushTimeoutMs: 20_000 },
);

export const config: Config = { path: "/api/slow" };
