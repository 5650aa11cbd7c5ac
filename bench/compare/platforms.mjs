// How each platform calls a handler, for the benchmark: stand-ins of the event and context objects the
// platform passes (no platform runtime runs in a benchmark process). `invoke` resolves when the caller has
// the whole response; `pending` holds what the handler handed to the platform's waitUntil.

const body = JSON.stringify({ prompt: "hello" });
const request = (path) =>
  new Request(`http://localhost${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });

let invocationCount = 0;

function benchLambdaContext() {
  const deadline = Date.now() + 30_000;
  return {
    functionName: "bench-chat",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:bench-chat",
    memoryLimitInMB: "1024",
    awsRequestId: `req-${++invocationCount}`,
    logGroupName: "/aws/lambda/bench-chat",
    logStreamName: "bench",
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
}

function benchApiGatewayEvent() {
  return {
    version: "2.0",
    routeKey: "POST /chat",
    rawPath: "/chat",
    rawQueryString: "",
    headers: { "content-type": "application/json" },
    requestContext: {
      http: { method: "POST", path: "/chat", sourceIp: "127.0.0.1" },
      requestId: `r${invocationCount}`,
    },
    body,
    isBase64Encoded: false,
  };
}

export const platforms = {
  lambda: {
    label: "Lambda",
    async invoke(mod) {
      const result = await mod.handler(benchApiGatewayEvent(), benchLambdaContext());
      if (result?.statusCode !== 200) throw new Error(`unexpected result ${JSON.stringify(result)}`);
      return [];
    },
  },
  netlify: {
    label: "Netlify (modern)",
    async invoke(mod) {
      const pending = [];
      // Netlify's modern context: waitUntil, as Netlify gives it (stand-in).
      const context = {
        requestId: `n${++invocationCount}`,
        ip: "127.0.0.1",
        params: {},
        waitUntil: (p) => pending.push(p),
      };
      await readResponse(await mod.handler(request("/.netlify/functions/chat"), context));
      return pending;
    },
  },
  next: {
    label: "Next route (Vercel)",
    // The framework is loaded before any route module is: not counted in a route's import time.
    preload: async (require) => {
      try {
        await import(require.resolve("next/server.js"));
      } catch {} // Next is not installed (no @lumiqtrace/vercel yet): the unwrapped and Langfuse rows need none
    },
    async invoke(mod) {
      const pending = [];
      // Vercel's request context, read by `@vercel/functions` and by our adapter (stand-in).
      globalThis[Symbol.for("@vercel/request-context")] = {
        get: () => ({ waitUntil: (p) => pending.push(p) }),
      };
      try {
        await readResponse(await mod.handler(request("/api/chat")));
      } finally {
        delete globalThis[Symbol.for("@vercel/request-context")];
      }
      return pending;
    },
  },
  hono: {
    label: "Hono (Workers-style ctx)",
    async invoke(mod) {
      const pending = [];
      // A Workers execution context (stand-in): app.fetch(request, env, ctx).
      const ctx = { waitUntil: (p) => pending.push(p), passThroughOnException() {}, props: {} };
      await readResponse(await mod.handler.fetch(request("/api/chat"), {}, ctx));
      return pending;
    },
  },
  cloudflare: {
    label: "Workers (export default { fetch })",
    async invoke(mod) {
      const pending = [];
      // A Workers execution context (stand-in): handler.fetch(request, env, ctx).
      const ctx = { waitUntil: (p) => pending.push(p), passThroughOnException() {}, props: {} };
      await readResponse(await mod.handler.fetch(request("/api/chat"), {}, ctx));
      return pending;
    },
  },
  node: {
    label: "Node server (node:http listener)",
    async invoke(mod) {
      // A real HTTP request over loopback; a flush after the response runs on its own (nothing to await).
      await readResponse(
        await fetch(await nodeUrl(mod.handler), {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        }),
      );
      return [];
    },
    // The client's kept-alive connection would hold the process for seconds after the run.
    close: () =>
      new Promise((resolve) => {
        if (!nodeServer) return resolve();
        nodeServer.closeAllConnections();
        nodeServer.close(() => resolve());
      }),
  },
};

// The node:http rows: the listener served on loopback, started on the first call.
let nodeServer;
async function nodeUrl(listener) {
  if (!nodeServer) {
    const { createServer } = await import("node:http");
    nodeServer = createServer(listener);
    await new Promise((resolve) => nodeServer.listen(0, "127.0.0.1", resolve));
    nodeServer.unref();
  }
  return `http://127.0.0.1:${nodeServer.address().port}/api/chat`;
}

async function readResponse(res) {
  if (!(res instanceof Response) || res.status !== 200) throw new Error(`unexpected response ${res?.status}`);
  const json = await res.json();
  if (json.reply !== "echo: hello") throw new Error(`unexpected body ${JSON.stringify(json)}`);
}
