// The loopback sink, run as a process of its own (so no benchmark process hosts a receiving end): it
// answers Sentry's envelopes and Langfuse's ingestion batches with 200, plays the stand-in model for the
// handlers' first LLM call, and counts what it got. `GET /_counts` gives the counts; the port is printed.
import { createServer } from "node:http";

const counts = { sentry: 0, langfuse: 0, llm: 0, other: 0 };

const sink = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    if (req.method === "GET" && req.url === "/_counts") {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify(counts));
    }
    const tool = req.url.startsWith("/api/1/envelope")
      ? "sentry"
      : req.url.startsWith("/api/public/")
        ? "langfuse"
        : req.url === "/v1/chat/completions"
          ? "llm"
          : "other";
    counts[tool]++;
    res.writeHead(200, { "content-type": "application/json" });
    if (tool === "llm") res.end(JSON.stringify(standInCompletion(Buffer.concat(chunks).toString())));
    else res.end(tool === "langfuse" ? '{"successes":[],"errors":[]}' : "{}");
  });
});

/** The stand-in model (a test double): echoes the last message, with fixed token counts. */
function standInCompletion(body) {
  const { model, messages } = JSON.parse(body);
  return {
    id: "chatcmpl-bench",
    object: "chat.completion",
    model,
    choices: [
      {
        index: 0,
        finish_reason: "stop",
        message: { role: "assistant", content: `echo: ${messages.at(-1).content}` },
      },
    ],
    usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 },
  };
}

sink.listen(0, "127.0.0.1", () => console.log(`sink listening on http://127.0.0.1:${sink.address().port}`));
process.on("SIGTERM", () => sink.close(() => process.exit(0)));
