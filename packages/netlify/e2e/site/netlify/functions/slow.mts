import { lumiqtrace } from "@lumiqtrace/sdk";
import { type Config, withNetlify } from "@lumiqtrace/netlify";

// the test makes the collector slow: the flush may take up to 15 s, in the background
export default withNetlify(
  async () => {
    await lumiqtrace.span("work", async () => "done");
    return new Response("fast");
  },
  { flushTimeoutMs: 15_000 },
);

export const config: Config = { path: "/api/slow" };
