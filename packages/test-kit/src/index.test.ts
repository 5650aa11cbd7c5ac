import { createServer } from "node:net";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { freePort, startLoopbackServer, startProcess } from "./index.mjs";

describe("freePort", () => {
  it("gives a port a server can listen on", async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) =>
      server.once("error", reject).listen(port, "127.0.0.1", resolve),
    );
    expect((server.address() as { port: number }).port).toBe(port);
    await new Promise((r) => server.close(r));
  });
});

describe("startLoopbackServer", () => {
  it("records gzipped JSON, answers as scripted, then 200", async () => {
    const server = await startLoopbackServer();
    server.script({ status: 503, headers: { "retry-after": "1" } });
    const post = (body: unknown) =>
      fetch(server.url, {
        method: "POST",
        headers: { "content-type": "application/json", "content-encoding": "gzip" },
        body: gzipSync(JSON.stringify(body)),
      });
    const first = await post({ events: [{ id: "a" }] });
    expect([first.status, first.headers.get("retry-after")]).toEqual([503, "1"]);
    expect((await post({ events: [{ id: "b" }] })).status).toBe(200);
    expect(server.requests.map((r) => r.body.events[0].id)).toEqual(["a", "b"]);
    expect(server.delivered()).toEqual([{ id: "b" }]);
    await server.close();
  });

  it("keeps nothing with record: false", async () => {
    const server = await startLoopbackServer({ record: false });
    expect((await fetch(server.url, { method: "POST", body: "{}" })).status).toBe(200);
    expect(server.requests).toEqual([]);
    await server.close();
  });
});

describe("startProcess", () => {
  it("resolves when the process says it is ready, and stop() ends it", async () => {
    const p = await startProcess({
      command: process.execPath,
      args: ["-e", "console.log('listening'); setInterval(() => {}, 1000)"],
      ready: (out) => out.includes("listening"),
    });
    expect(p.output()).toContain("listening");
    await p.stop();
    await p.exited;
  });

  it("rejects with the output when the process exits first", async () => {
    await expect(
      startProcess({
        command: process.execPath,
        args: ["-e", "console.log('boom'); process.exit(3)"],
        ready: () => false,
      }),
    ).rejects.toThrow(/exited before it was ready:\nboom/);
  });
});
