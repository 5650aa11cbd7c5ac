// Finding the extension, and when not to use it. The extension is a test-kit loopback server here (a test
// double: e2e/extension.test.ts runs the real one beside the real runtime client).
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LoopbackServer, startLoopbackServer } from "@lumiqtrace/test-kit";
import { init, startSpan } from "@lumiqtrace/sdk/serverless";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { extensionForwarder, forgetExtension } from "./extension.js";
import type { Handler } from "aws-lambda";
import { withLambda } from "./index.js";

let extension: LoopbackServer;
const saved = { ...process.env };
const VARS = [
  "AWS_LAMBDA_RUNTIME_API",
  "LUMIQTRACE_EXTENSIONS_DIR",
  "LUMIQTRACE_EXTENSION_PORT",
  "LUMIQTRACE_API_KEY",
  "LUMIQTRACE_BASE_URL",
];

function layerDir(withExtension: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), "lqt-opt-"));
  mkdirSync(join(dir, "extensions"));
  if (withExtension) writeFileSync(join(dir, "extensions", "lumiqtrace"), "#!/bin/bash\n", { mode: 0o755 });
  return join(dir, "extensions");
}

beforeEach(async () => {
  extension = await startLoopbackServer();
  forgetExtension();
  Object.assign(process.env, {
    AWS_LAMBDA_RUNTIME_API: "127.0.0.1:9001",
    LUMIQTRACE_EXTENSION_PORT: new URL(extension.url).port,
    LUMIQTRACE_API_KEY: "lqt_env_key",
    LUMIQTRACE_BASE_URL: "https://ingest.example.com",
  });
  init(undefined, process.env);
});
afterEach(async () => {
  for (const v of VARS) if (saved[v] === undefined) delete process.env[v];
  Object.assign(process.env, saved);
  vi.restoreAllMocks();
  await extension.close();
});

describe("withLambda finds the extension with nothing set by the user", () => {
  it("by its file among the layer's extensions", () => {
    process.env.LUMIQTRACE_EXTENSIONS_DIR = layerDir(true);
    expect(extensionForwarder()?.url).toBe(extension.url);
  });

  it("by its loopback endpoint answering, when the file is elsewhere", async () => {
    process.env.LUMIQTRACE_EXTENSIONS_DIR = layerDir(false);
    extension.script({ status: 200, headers: { "x-lumiqtrace-extension": "0.0.0" } });
    expect(extensionForwarder()).toBeUndefined(); // the probe is under way
    await vi.waitFor(() => expect(extensionForwarder()?.url).toBe(extension.url));
    expect(extension.requests[0]).toMatchObject({ method: "GET", path: "/v1/extension" });
  });

  it("not when neither is there", async () => {
    process.env.LUMIQTRACE_EXTENSIONS_DIR = layerDir(false);
    extension.script({ status: 404 });
    expect(extensionForwarder()).toBeUndefined();
    await vi.waitFor(() => expect(extension.requests).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 20));
    expect(extensionForwarder()).toBeUndefined();
  });

  it("not outside Lambda, even with the file there (tests, local runs)", () => {
    delete process.env.AWS_LAMBDA_RUNTIME_API;
    process.env.LUMIQTRACE_EXTENSIONS_DIR = layerDir(true);
    expect(extensionForwarder()).toBeUndefined();
    expect(extension.requests).toHaveLength(0);
  });
});

describe("not when the extension would send elsewhere (it reads only the environment)", () => {
  it("init() with a key or a URL of its own: said once, and the function flushes itself", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    process.env.LUMIQTRACE_EXTENSIONS_DIR = layerDir(true);
    for (const options of [{ apiKey: "lqt_code_key" }, { baseUrl: "https://other.example.com" }]) {
      init(options, process.env);
      expect(extensionForwarder()).toBeUndefined();
    }
    expect(warn.mock.calls.filter(([m]) => String(m).includes("reads only the LUMIQTRACE_*"))).toHaveLength(
      1,
    );
    init({ apiKey: "lqt_env_key", baseUrl: "https://ingest.example.com/" }, process.env);
    expect(extensionForwarder()).toBeDefined(); // the same destinations, however written
  });

  it("init() with OTLP settings of its own", () => {
    process.env.LUMIQTRACE_EXTENSIONS_DIR = layerDir(true);
    vi.spyOn(console, "warn").mockImplementation(() => {});
    init({ exporter: "otlp", otlp: { endpoint: "https://otlp.example.com/v1/traces" } }, process.env);
    expect(extensionForwarder()).toBeUndefined();
  });
});

describe("withLambda with the extension", () => {
  const context = (awsRequestId: string) =>
    ({ awsRequestId, functionName: "orders", getRemainingTimeInMillis: () => 30_000 }) as never;

  it("sends the invocation's events there, then says it is over; the result and the error are the handler's", async () => {
    process.env.LUMIQTRACE_EXTENSIONS_DIR = layerDir(true);
    const ok = withLambda<Handler>(async () => {
      startSpan({ name: "work" }).end();
      return { statusCode: 201 };
    });
    expect(await ok({}, context("req-ok"), () => {})).toEqual({ statusCode: 201 });
    const failure = new Error("boom");
    const fails = withLambda<Handler>(async () => {
      throw failure;
    });
    await expect(fails({}, context("req-fail"), () => {})).rejects.toBe(failure);
    await vi.waitFor(() => expect(extension.requests.filter((r) => r.path === "/v1/done")).toHaveLength(2));
    const paths = extension.requests.map((r) => `${r.path} ${r.body.invocationId ?? r.body.events.length}`);
    // each "done" after its invocation's batch (a "done" is not awaited: the next batch may overtake it)
    expect(paths).toHaveLength(4);
    expect(paths.indexOf("/v1/done req-ok")).toBeGreaterThan(paths.indexOf("/v1/batch 2"));
    expect(paths.indexOf("/v1/done req-fail")).toBeGreaterThan(paths.indexOf("/v1/batch 1"));
    expect(paths.indexOf("/v1/batch 1")).toBeGreaterThan(paths.indexOf("/v1/batch 2"));
    expect(extension.delivered().map((e) => e.name)).toEqual(["work", "orders", "orders"]);
    expect(extension.delivered()[2]).toMatchObject({ status: "error", error: { message: "boom" } });
  });
});
