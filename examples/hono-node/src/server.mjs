import { serve } from "@hono/node-server";
import { app } from "./app.mjs";

const server = serve(
  { fetch: app.fetch, port: Number(process.env.PORT ?? 3000), hostname: "127.0.0.1" },
  (info) => console.log(`listening on http://127.0.0.1:${info.port}`),
);
const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
