// A loopback HTTP sink that answers 200 to every batch: a stand-in for the collector that stores nothing,
// so a benchmark times the SDK's own work and one real HTTP round trip, not the collector's SQLite.
import { createServer } from "node:http";

export async function startSink() {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () =>
      res.writeHead(200, { "content-type": "application/json" }).end('{"accepted":0,"duplicates":0}'),
    );
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}
