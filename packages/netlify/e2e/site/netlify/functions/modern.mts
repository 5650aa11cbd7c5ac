import { lumiqtrace } from "@lumiqtrace/sdk";
import { type Config, type Context, withNetlify } from "@lumiqtrace/netlify";

export default withNetlify(async (req: Request, context: Context) => {
  const word = await lumiqtrace.span("work", async () => "hello");
  return Response.json({ word, path: new URL(req.url).pathname, hasWaitUntil: typeof context.waitUntil });
});

export const config: Config = { path: "/api/modern" };
