import { lumiqtrace } from "@lumiqtrace/sdk";
import { withNetlify } from "@lumiqtrace/netlify";

export const handler = withNetlify(async (event, context) => {
  const word = await lumiqtrace.span("work", async () => "classic");
  return {
    statusCode: 201,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ word, path: event.path, functionName: context.functionName }),
  };
});
