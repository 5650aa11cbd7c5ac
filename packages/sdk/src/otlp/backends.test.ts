// The README's "Send to ..." lines, each against a local receiver that checks what that backend
// documents (path, headers, encoding) and refuses the rest as the backend would: test doubles of the
// backends, which do not run here. The environment per backend is the README's, with its host swapped
// for the receiver's.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, expect, it } from "vitest";
import { init, resetClient } from "../global.js";
import { lumiqtrace } from "../index.js";

interface Backend {
  name: string;
  /** The README's variables; `HOST` stands for the backend's address. */
  env: Record<string, string>;
  path: string;
  headers: Record<string, string>;
  encodings: ("protobuf" | "json")[];
}

const basic = (user: string, secret: string) =>
  `Basic ${Buffer.from(`${user}:${secret}`).toString("base64")}`;

const BACKENDS: Backend[] = [
  {
    name: "OpenTelemetry Collector (in front of Tempo, Jaeger, ClickHouse)",
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: "http://HOST" },
    path: "/v1/traces",
    headers: {},
    encodings: ["protobuf", "json"],
  },
  {
    name: "Langfuse",
    env: {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://HOST/api/public/otel/v1/traces",
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: `Authorization=${encodeURIComponent(basic("pk-lf-1", "sk-lf-2"))},x-langfuse-ingestion-version=4`,
    },
    path: "/api/public/otel/v1/traces",
    headers: { authorization: basic("pk-lf-1", "sk-lf-2"), "x-langfuse-ingestion-version": "4" },
    encodings: ["protobuf", "json"],
  },
  {
    name: "Datadog LLM Observability",
    env: {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://HOST/v1/traces",
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/protobuf",
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: "dd-api-key=dd-key-1,dd-otlp-source=llmobs",
    },
    path: "/v1/traces",
    headers: { "dd-api-key": "dd-key-1", "dd-otlp-source": "llmobs" },
    encodings: ["protobuf"],
  },
  {
    name: "Honeycomb",
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://HOST",
      OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=hc-key-1",
    },
    path: "/v1/traces",
    headers: { "x-honeycomb-team": "hc-key-1" },
    encodings: ["protobuf", "json"],
  },
  {
    name: "Grafana Cloud",
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://HOST/otlp",
      OTEL_EXPORTER_OTLP_HEADERS: `Authorization=${encodeURIComponent(basic("123456", "glc_token"))}`,
    },
    path: "/otlp/v1/traces",
    headers: { authorization: basic("123456", "glc_token") },
    encodings: ["protobuf", "json"],
  },
  {
    name: "Arize Phoenix",
    env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://HOST/v1/traces" },
    path: "/v1/traces",
    headers: {},
    encodings: ["protobuf"],
  },
];

/** A receiver double: 404 on the wrong path, 401 without the headers, 415 on an encoding it does not take. */
async function startReceiver(backend: Backend) {
  const seen: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      seen.push(req);
      const type = req.headers["content-type"] ?? "";
      const encoding =
        type === "application/x-protobuf" ? "protobuf" : type === "application/json" ? "json" : undefined;
      const status =
        req.url !== backend.path
          ? 404
          : Object.entries(backend.headers).some(([k, v]) => req.headers[k] !== v)
            ? 401
            : !encoding || !backend.encodings.includes(encoding)
              ? 415
              : 200;
      res.writeHead(status, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { host, seen, close: () => new Promise((r) => server.close(r)) };
}

let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
afterEach(async () => {
  resetClient();
  await receiver?.close();
});

async function sendWith(backend: Backend, extra: Record<string, string> = {}) {
  receiver = await startReceiver(backend);
  const env = Object.fromEntries(
    Object.entries(backend.env).map(([k, v]) => [k, v.replace("HOST", receiver!.host)]),
  );
  init({ exporter: "otlp", flushIntervalMs: 60_000, maxRetries: 0 }, { ...env, ...extra });
  lumiqtrace.span("chat gpt-4o", () => 1, { kind: "llm" });
  await lumiqtrace.flush();
  return lumiqtrace.getClient().stats();
}

it.each(BACKENDS)(
  "sends to $name with the README's lines: the path, headers and encoding it documents",
  async (backend) => {
    expect(await sendWith(backend)).toMatchObject({ delivered: 1, dropped: 0 });
    expect(receiver!.seen).toHaveLength(1);
  },
);

it.each(BACKENDS.filter((b) => !b.encodings.includes("json")))(
  "$name refuses JSON, which it does not take",
  async (backend) => {
    const stats = await sendWith(backend, { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/json" });
    expect(stats).toMatchObject({ delivered: 0, dropped: 1 });
  },
);

it("the receivers check what they say: a missing header is refused", async () => {
  const langfuse = BACKENDS.find((b) => b.name === "Langfuse")!;
  const stats = await sendWith({
    ...langfuse,
    env: { ...langfuse.env, OTEL_EXPORTER_OTLP_TRACES_HEADERS: "x-langfuse-ingestion-version=4" },
  });
  expect(stats).toMatchObject({ delivered: 0, dropped: 1 });
});
