// A small Lambda Runtime API (the endpoints `aws-lambda-ric` talks to) that runs a function in the real
// runtime client and freezes its process with SIGSTOP as soon as it asks for the next event, as Lambda
// does, until the next invocation. Shared by the e2e tests and examples/lambda/demo.mjs.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const PREFIX = "/2018-06-01/runtime";

function ricBin() {
  const pkg = createRequire(import.meta.url).resolve("aws-lambda-ric/package.json");
  return join(dirname(pkg), "bin", "index.mjs");
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/**
 * Starts the runtime client on `handler` ("file.export", resolved in `cwd`) against a fresh Runtime API.
 * Resolves once the function is initialised (it asked for its first event, and is frozen).
 *
 * @param {object} o
 * @param {string} o.cwd          the function's directory (LAMBDA_TASK_ROOT)
 * @param {string} o.handler      e.g. "app.handler"
 * @param {Record<string,string>} [o.env]  extra environment for the function
 * @param {boolean} [o.freeze=true]        SIGSTOP the process between invocations, as Lambda does
 * @param {string} [o.functionName="lumiq-e2e"]
 */
export async function startRuntime(o) {
  const functionName = o.functionName ?? "lumiq-e2e";
  const freeze = o.freeze !== false;
  const queue = [];
  const inFlight = new Map();
  let waitingNext; // the runtime's pending GET .../invocation/next
  let frozen = false;
  let child;
  let logs = "";
  let initError;
  let readyResolve;
  const ready = new Promise((r) => (readyResolve = r));
  let exited;

  const setFrozen = (on) => {
    if (!freeze || !child || child.exitCode !== null || frozen === on) return;
    process.kill(child.pid, on ? "SIGSTOP" : "SIGCONT");
    frozen = on;
  };

  const deliver = (res, inv) => {
    inv.deliveredAt = Date.now();
    res.writeHead(200, {
      "content-type": "application/json",
      "lambda-runtime-aws-request-id": inv.id,
      "lambda-runtime-deadline-ms": String(inv.deadline),
      "lambda-runtime-invoked-function-arn": `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
      "lambda-runtime-trace-id": `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replace(/-/g, "").slice(0, 24)};Sampled=0`,
    });
    res.end(JSON.stringify(inv.event));
  };

  const complete = (id, outcome) => {
    const inv = inFlight.get(id);
    if (!inv || inv.outcome) return;
    inv.outcome = { requestId: id, ...outcome, respondedAt: Date.now(), atResponse: inv.onResponse?.() };
  };

  const server = createServer(async (req, res) => {
    const url = req.url ?? "";
    if (req.method === "GET" && url === `${PREFIX}/invocation/next`) {
      // The previous invocation is over once the runtime asks for more: freeze now, as Lambda does.
      for (const inv of inFlight.values()) {
        if (inv.outcome && !inv.done) {
          inv.done = true;
          inv.frozenAt = Date.now();
          inv.outcome.atFreeze = inv.onFreeze?.();
          setFrozen(true);
          inv.resolve(inv.outcome);
        }
      }
      readyResolve();
      const next = queue.shift();
      if (next) return deliver(res, next);
      waitingNext = res;
      setFrozen(true);
      return;
    }
    const m = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
    if (req.method === "POST" && m) {
      const id = decodeURIComponent(m[1]);
      const streamed = req.headers["lambda-runtime-function-response-mode"] === "streaming";
      const body = await readBody(req);
      const trailers = req.trailers ?? {};
      const errorType =
        req.headers["lambda-runtime-function-error-type"] ?? trailers["lambda-runtime-function-error-type"];
      res.writeHead(202, { "content-type": "application/json" });
      res.end('{"status":"OK"}');
      const text = body.toString("utf8");
      if (m[2] === "error" || (streamed && errorType)) {
        const errorBody = trailers["lambda-runtime-function-error-body"];
        const payload = errorBody ? Buffer.from(errorBody, "base64").toString("utf8") : text;
        let error;
        try {
          error = JSON.parse(payload);
        } catch {
          error = { errorType, errorMessage: payload };
        }
        complete(id, { kind: "error", error, streamed, body: m[2] === "error" ? undefined : text });
      } else {
        complete(id, { kind: "response", streamed, contentType: req.headers["content-type"], body: text });
      }
      return;
    }
    if (req.method === "POST" && url === `${PREFIX}/init/error`) {
      initError = JSON.parse((await readBody(req)).toString("utf8") || "{}");
      res.writeHead(202).end();
      readyResolve();
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address();

  child = spawn(process.execPath, [ricBin(), o.handler], {
    cwd: o.cwd,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${port}`,
      AWS_LAMBDA_FUNCTION_NAME: functionName,
      AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "256",
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
      AWS_LAMBDA_LOG_STREAM_NAME: "local",
      AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
      AWS_REGION: "us-east-1",
      LAMBDA_TASK_ROOT: o.cwd,
      _HANDLER: o.handler,
      TZ: ":UTC",
      ...o.env,
    },
  });
  // never leave a stopped process behind, even when the test run dies
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  child.once("exit", () => process.off("exit", killOnExit));
  child.stdout.on("data", (d) => (logs += d));
  child.stderr.on("data", (d) => (logs += d));
  exited = new Promise((r) => child.on("exit", (code, signal) => r({ code, signal })));
  void exited.then(() => readyResolve());

  await ready;
  if (initError || child.exitCode !== null) {
    await close();
    throw new Error(`the function failed to initialise: ${JSON.stringify(initError)}\n${logs}`);
  }

  /**
   * Sends one event and resolves once the function answered and asked for the next one (and is frozen).
   * `onResponse` runs the moment the answer arrives (for a streamed one: its last byte), `onFreeze` the
   * moment the runtime asks for the next event, just before the process is stopped; what they return is
   * the outcome's `atResponse` and `atFreeze`.
   */
  function invoke(event, { timeoutMs = 10_000, onResponse, onFreeze } = {}) {
    return new Promise((resolve, reject) => {
      const inv = {
        id: randomUUID(),
        event,
        deadline: Date.now() + timeoutMs,
        onResponse,
        onFreeze,
        resolve,
      };
      inFlight.set(inv.id, inv);
      inv.sentAt = Date.now();
      exited.then(({ code, signal }) => {
        if (!inv.done) reject(new Error(`the runtime exited (${code ?? signal}) during ${inv.id}\n${logs}`));
      });
      if (waitingNext) {
        const res = waitingNext;
        waitingNext = undefined;
        setFrozen(false);
        deliver(res, inv);
      } else {
        queue.push(inv);
      }
    }).then((outcome) => {
      const inv = inFlight.get(outcome.requestId);
      inFlight.delete(outcome.requestId);
      return {
        ...outcome,
        sentAt: inv.sentAt,
        deliveredAt: inv.deliveredAt,
        frozenAt: inv.frozenAt,
        deadline: inv.deadline,
      };
    });
  }

  async function close() {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL"); // a stopped process dies of SIGKILL too
      await exited;
    }
    waitingNext?.destroy();
    server.closeAllConnections?.();
    await new Promise((r) => server.close(() => r()));
  }

  return {
    invoke,
    close,
    /** What the function printed (the runtime client's structured logs). */
    logs: () => logs,
    isFrozen: () => frozen,
    /** Lets the frozen process run without an invocation (to see what it does once thawed). */
    thaw: () => setFrozen(false),
    freeze: () => setFrozen(true),
  };
}
