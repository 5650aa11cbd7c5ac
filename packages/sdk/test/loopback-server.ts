// A real HTTP server on 127.0.0.1 that records every request (gzip bodies decoded) and answers as scripted,
// one script step per request: a status (with headers), a delay, a hang, or a connection reset.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

export type Step =
  | { status: number; headers?: Record<string, string>; body?: string; delayMs?: number }
  | { hang: true }
  | { reset: true };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  rawBytes: number;
  body: { sdk: { name: string; version: string }; dropped: number; sentAt: number; events: any[] };
}

export interface LoopbackServer {
  url: string;
  requests: RecordedRequest[];
  /** Events of every request answered 2xx, in order. */
  delivered(): any[];
  /** Answer the next requests with these steps; once used up, answer 200. */
  script(...steps: Step[]): void;
  /** Forget what was recorded and scripted. */
  reset(): void;
  close(): Promise<void>;
}

export async function startLoopbackServer(): Promise<LoopbackServer> {
  const steps: Step[] = [];
  const requests: RecordedRequest[] = [];
  const answered: { request: RecordedRequest; status: number }[] = [];
  const hung = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const text = req.headers["content-encoding"] === "gzip" ? gunzipSync(raw).toString() : raw.toString();
      const request: RecordedRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        rawBytes: raw.length,
        body: JSON.parse(text),
      };
      requests.push(request);
      const step = steps.shift() ?? { status: 200 };
      if ("hang" in step) {
        hung.add(res);
        return;
      }
      if ("reset" in step) {
        req.socket.destroy();
        return;
      }
      const answer = () => {
        answered.push({ request, status: step.status });
        res.writeHead(step.status, { "content-type": "application/json", ...step.headers });
        res.end(step.body ?? JSON.stringify({ accepted: request.body.events.length, duplicates: 0 }));
      };
      if (step.delayMs) setTimeout(answer, step.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    delivered: () => answered.filter((a) => a.status < 300).flatMap((a) => a.request.body.events),
    script: (...s) => steps.push(...s),
    reset: () => {
      steps.length = 0;
      requests.length = 0;
      answered.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hung) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
