// The Cloud Run shape: listen on PORT, and on SIGTERM (sent before an instance is scaled down, 10 s before
// SIGKILL) send what is still queued, then end as Node would have.
import { flushOnSignals } from "@lumiqtrace/node";
import { app } from "./app.mjs";

flushOnSignals({ timeoutMs: 8000 });

const server = app.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? "0.0.0.0", () => {
  const { address, port } = server.address();
  console.log(`listening on http://${address}:${port}`);
});
