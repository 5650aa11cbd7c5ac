// A small Lambda Runtime API (the endpoints `aws-lambda-ric` talks to) that runs a function in the real
// runtime client and freezes its process with SIGSTOP as soon as it asks for the next event, as Lambda
// does, until the next invocation. Shared by the e2e tests and examples/lambda/demo.mjs.
//
// With `extensionsDir` (standing in for /opt/extensions), it is also the Extensions API and the Telemetry
// API, as AWS documents them: it starts each executable there before the runtime (Extension init), takes
// their registrations (`Lambda-Extension-Name` must be the file's name; the answer carries a
// `Lambda-Extension-Identifier`), hands INVOKE events to them with each invocation and SHUTDOWN at
// `shutdown()`, delivers `platform.runtimeDone` to telemetry subscribers, and freezes the runtime and the
// extensions only once all of them wait in their next-event request.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { createServer, request } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const PREFIX = "/2018-06-01/runtime";
const EXT = "/2020-01-01/extension";
/** Variables Lambda gives the runtime but not the extensions (AWS: "Extensions API", environment variables). */
const RUNTIME_ONLY = [
  "AWS_EXECUTION_ENV",
  "AWS_LAMBDA_LOG_GROUP_NAME",
  "AWS_LAMBDA_LOG_STREAM_NAME",
  "LAMBDA_RUNTIME_DIR",
  "LAMBDA_TASK_ROOT",
  "_HANDLER",
];
/** Wall-clock ms with sub-ms resolution, for the timestamps of an invocation (the bench reads them). */
const now = () => performance.timeOrigin + performance.now();
/** The Shutdown phase with external extensions: 2000 ms, of which the runtime gets 300 ms. */
const SHUTDOWN_MS = 2000;
const RUNTIME_SHUTDOWN_MS = 300;

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

/** The executables of a directory standing in for /opt/extensions, in name order (as Lambda starts them). */
function extensionFiles(dir) {
  return readdirSync(dir)
    .sort()
    .filter((name) => {
      const st = statSync(join(dir, name));
      return st.isFile() && (st.mode & 0o111) !== 0;
    });
}

/** One Telemetry API delivery: an array of events, POSTed to the subscriber's URI (never awaited by the caller). */
function deliverTelemetry(uri, events) {
  try {
    const req = request(uri, {
      method: "POST",
      headers: { "content-type": "application/json" },
      agent: false,
    });
    req.on("error", () => {}); // a subscriber that is gone: Lambda retries; the harness lets it be
    req.on("response", (res) => res.resume());
    req.end(JSON.stringify(events));
  } catch {
    // a URI that cannot be requested
  }
}

/**
 * Starts the runtime client on `handler` ("file.export", resolved in `cwd`) against a fresh Runtime API.
 * Resolves once the function is initialised: the runtime and every extension asked for their first event,
 * and all are frozen.
 *
 * @param {object} o
 * @param {string} o.cwd          the function's directory (LAMBDA_TASK_ROOT)
 * @param {string} o.handler      e.g. "app.handler"
 * @param {Record<string,string>} [o.env]  extra environment for the function (and its extensions)
 * @param {boolean} [o.freeze=true]        SIGSTOP the processes between invocations, as Lambda does
 * @param {string} [o.functionName="lumiq-e2e"]
 * @param {string} [o.extensionsDir]       a directory standing in for /opt/extensions: its executables run as extensions
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
  let runtimeAsked = false;
  let readyResolve;
  const ready = new Promise((r) => (readyResolve = r));
  let exited;
  /** Extensions by identifier: { name, proc, events, waiting, pending: [], exited, exitedAt, nextAt }. */
  const extensions = new Map();
  const started = []; // every extension process, registered or not
  const subscribers = []; // Telemetry API destinations
  let shuttingDown = false;
  let closing = false;

  const running = (p) => p && p.exitCode === null && p.signalCode === null;
  const processes = () => [child, ...started.map((e) => e.proc)].filter(running);

  const setFrozen = (on) => {
    if (!freeze || frozen === on) return;
    for (const p of processes()) {
      try {
        process.kill(p.pid, on ? "SIGSTOP" : "SIGCONT");
      } catch {
        // exited a moment ago, not yet reaped
      }
    }
    frozen = on;
  };

  /** Everyone is done with the current phase: the runtime and each live extension wait for an event they do not have. */
  const allWaiting = () =>
    runtimeAsked &&
    waitingNext !== undefined &&
    [...extensions.values()].every((x) => !running(x.proc) || (x.waiting && x.pending.length === 0));

  /** Freezes when everyone waits, and completes the invocations that were waiting for that. */
  const settle = () => {
    if (!allWaiting() || shuttingDown || closing) return;
    for (const inv of inFlight.values()) {
      if (inv.outcome && !inv.done) {
        inv.done = true;
        inv.frozenAt = now();
        inv.outcome.atFreeze = inv.onFreeze?.();
      }
    }
    readyResolve();
    setFrozen(true);
    for (const inv of inFlight.values()) {
      if (!inv.done || inv.resolved) continue;
      inv.resolved = true;
      inv.resolve(inv.outcome);
    }
  };

  const sendEvent = (x, event) => {
    if (x.waiting) {
      const res = x.waiting;
      x.waiting = undefined;
      res.writeHead(200, {
        "content-type": "application/json",
        "lambda-extension-event-identifier": randomUUID(),
      });
      res.end(JSON.stringify(event));
    } else x.pending.push(event);
  };

  const deliver = (res, inv) => {
    inv.deliveredAt = now();
    res.writeHead(200, {
      "content-type": "application/json",
      "lambda-runtime-aws-request-id": inv.id,
      "lambda-runtime-deadline-ms": String(inv.deadline),
      "lambda-runtime-invoked-function-arn": inv.arn,
      "lambda-runtime-trace-id": inv.traceId,
    });
    res.end(JSON.stringify(inv.event));
    for (const x of extensions.values()) {
      if (!x.events.includes("INVOKE") || !running(x.proc)) continue;
      sendEvent(x, {
        eventType: "INVOKE",
        deadlineMs: inv.deadline,
        requestId: inv.id,
        invokedFunctionArn: inv.arn,
        tracing: { type: "X-Amzn-Trace-Id", value: inv.traceId },
      });
    }
  };

  /** `platform.runtimeDone` to every subscriber, after its buffering time (Lambda's minimum is 25 ms). */
  const runtimeDone = (inv, status, errorType) => {
    if (inv.runtimeDoneSent) return;
    inv.runtimeDoneSent = true;
    const record = { requestId: inv.id, status, ...(errorType ? { errorType } : {}) };
    for (const s of subscribers) {
      setTimeout(
        () =>
          deliverTelemetry(s.uri, [{ time: new Date().toISOString(), type: "platform.runtimeDone", record }]),
        Math.max(25, s.timeoutMs ?? 1000),
      );
    }
  };

  const complete = (id, outcome) => {
    const inv = inFlight.get(id);
    if (!inv || inv.outcome) return;
    inv.outcome = { requestId: id, ...outcome, respondedAt: now(), atResponse: inv.onResponse?.() };
  };

  async function extensionsApi(req, res, url) {
    if (req.method === "POST" && url === `${EXT}/register`) {
      const name = req.headers["lambda-extension-name"];
      const body = JSON.parse((await readBody(req)).toString("utf8") || "{}");
      const proc = started.find((e) => e.name === name && !e.id);
      if (!proc) {
        res.writeHead(403, { "content-type": "application/json" });
        return res.end(
          JSON.stringify({
            errorType: "Extension.InvalidExtensionName",
            errorMessage: `no extension named ${name}`,
          }),
        );
      }
      proc.id = randomUUID();
      Object.assign(proc, { events: Array.isArray(body.events) ? body.events : [], pending: [] });
      extensions.set(proc.id, proc);
      proc.registered();
      res.writeHead(200, { "content-type": "application/json", "lambda-extension-identifier": proc.id });
      return res.end(JSON.stringify({ functionName, functionVersion: "$LATEST", handler: o.handler }));
    }
    const x = extensions.get(req.headers["lambda-extension-identifier"]);
    if (!x) {
      res.writeHead(403, { "content-type": "application/json" });
      return res.end(JSON.stringify({ errorType: "Extension.UnknownExtensionIdentifier" }));
    }
    if (req.method === "GET" && url === `${EXT}/event/next`) {
      x.nextAt = now();
      x.waiting = res;
      res.on("close", () => x.waiting === res && (x.waiting = undefined));
      if (x.pending.length) return sendEvent(x, x.pending.shift());
      return settle();
    }
    if (req.method === "POST" && (url === `${EXT}/init/error` || url === `${EXT}/exit/error`)) {
      x.error = {
        type: req.headers["lambda-extension-function-error-type"],
        body: (await readBody(req)).toString(),
      };
      return res.writeHead(202).end();
    }
    res.writeHead(404).end();
  }

  const server = createServer(async (req, res) => {
    const url = req.url ?? "";
    if (url.startsWith(EXT)) return extensionsApi(req, res, url);
    if (req.method === "PUT" && url === "/2022-07-01/telemetry") {
      const x = extensions.get(req.headers["lambda-extension-identifier"]);
      const body = JSON.parse((await readBody(req)).toString("utf8") || "{}");
      if (!x || body.destination?.protocol !== "HTTP" || typeof body.destination?.URI !== "string") {
        res.writeHead(400, { "content-type": "application/json" });
        return res.end(JSON.stringify({ errorType: "ValidationError" }));
      }
      subscribers.push({
        uri: body.destination.URI,
        types: body.types,
        timeoutMs: body.buffering?.timeoutMs,
      });
      res.writeHead(200, { "content-type": "application/json" });
      return res.end('"OK"');
    }
    if (req.method === "GET" && url === `${PREFIX}/invocation/next`) {
      runtimeAsked = true;
      // The previous invocation is over for the runtime once it asks for more.
      for (const inv of inFlight.values())
        if (inv.outcome) runtimeDone(inv, inv.outcome.kind === "error" ? "error" : "success");
      const next = queue.shift();
      if (next) return deliver(res, next);
      waitingNext = res;
      return settle();
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
  const runtimeApi = `127.0.0.1:${port}`;
  const baseEnv = {
    PATH: `${dirname(process.execPath)}:${process.env.PATH}`, // the function's own node, for the extensions too
    HOME: process.env.HOME,
    AWS_LAMBDA_RUNTIME_API: runtimeApi,
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
    // where withLambda looks for the layer's extensions (in Lambda: /opt/extensions)
    ...(o.extensionsDir ? { LUMIQTRACE_EXTENSIONS_DIR: o.extensionsDir } : {}),
    ...o.env,
  };
  const killOnExit = () => {
    for (const p of processes()) p.kill("SIGKILL");
  };
  // never leave a stopped process behind, even when the test run dies
  process.once("exit", killOnExit);

  // Extension init: every extension is started and registers before the runtime starts.
  if (o.extensionsDir) {
    const env = { ...baseEnv, LUMIQTRACE_EXTENSION_TELEMETRY_HOST: "127.0.0.1" }; // no sandbox.localdomain here
    for (const k of RUNTIME_ONLY) delete env[k];
    const registrations = [];
    for (const name of extensionFiles(o.extensionsDir)) {
      const proc = spawn(join(o.extensionsDir, name), [], {
        cwd: "/",
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      const x = { name, proc, waiting: undefined, pending: [], events: [] };
      x.exitedP = new Promise((r) =>
        proc.on("exit", (code, signal) => {
          x.exitedAt = Date.now();
          x.exit = { code, signal };
          r(x.exit);
          settle(); // a crashed extension no longer holds the freeze back
        }),
      );
      proc.stdout.on("data", (d) => (logs += `[${name}] ${d}`));
      proc.stderr.on("data", (d) => (logs += `[${name}] ${d}`));
      registrations.push(
        Promise.race([
          new Promise((r) => (x.registered = r)),
          x.exitedP,
          new Promise((r) => setTimeout(r, 10_000)),
        ]),
      );
      started.push(x);
    }
    await Promise.all(registrations);
    const unregistered = started.filter((x) => !x.id);
    if (unregistered.length) {
      const out = logs;
      await close();
      throw new Error(`extension(s) ${unregistered.map((x) => x.name).join(", ")} did not register:\n${out}`);
    }
  }

  child = spawn(process.execPath, [ricBin(), o.handler], {
    cwd: o.cwd,
    stdio: ["ignore", "pipe", "pipe"],
    env: baseEnv,
  });
  child.stdout.on("data", (d) => (logs += d));
  child.stderr.on("data", (d) => (logs += d));
  let runtimeExitedAt;
  exited = new Promise((r) => child.on("exit", (code, signal) => r({ code, signal })));
  void exited.then(() => {
    runtimeExitedAt = Date.now();
    process.off("exit", killOnExit);
    // a runtime that dies in an invocation: Lambda tells subscribers, then resets the environment
    for (const inv of inFlight.values()) if (!inv.outcome) runtimeDone(inv, "failure", "Runtime.ExitError");
    readyResolve();
  });

  await ready;
  if (initError || child.exitCode !== null) {
    await close();
    throw new Error(`the function failed to initialise: ${JSON.stringify(initError)}\n${logs}`);
  }

  /**
   * Sends one event and resolves once the function answered and the runtime and every extension asked for
   * their next event (and all are frozen). `onResponse` runs the moment the answer arrives (for a streamed
   * one: its last byte), `onFreeze` the moment everyone waits, just before the processes are stopped; what
   * they return is the outcome's `atResponse` and `atFreeze`.
   */
  function invoke(event, { timeoutMs = 10_000, onResponse, onFreeze } = {}) {
    return new Promise((resolve, reject) => {
      const inv = {
        id: randomUUID(),
        event,
        deadline: Date.now() + timeoutMs,
        arn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
        traceId: `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replace(/-/g, "").slice(0, 24)};Sampled=0`,
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
      const live = [...extensions.values()];
      return {
        ...outcome,
        sentAt: inv.sentAt,
        deliveredAt: inv.deliveredAt,
        frozenAt: inv.frozenAt,
        deadline: inv.deadline,
        extensionsNextAt: live.length ? Math.max(...live.map((x) => x.nextAt ?? 0)) : undefined,
      };
    });
  }

  /**
   * The Shutdown phase: the runtime gets SIGTERM (SIGKILL after 300 ms), then each extension registered for
   * it gets SHUTDOWN with the phase's deadline, and is killed with SIGKILL if it has not exited by then.
   */
  async function shutdown({ reason = "SPINDOWN" } = {}) {
    shuttingDown = true;
    const startedAt = Date.now();
    const deadlineMs = startedAt + SHUTDOWN_MS;
    setFrozen(false);
    if (running(child)) {
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, RUNTIME_SHUTDOWN_MS))]);
      if (running(child)) child.kill("SIGKILL");
    }
    for (const x of extensions.values()) {
      if (x.events.includes("SHUTDOWN") && running(x.proc))
        sendEvent(x, { eventType: "SHUTDOWN", shutdownReason: reason, deadlineMs });
    }
    const ends = await Promise.all(
      started.map(async (x) => {
        const left = deadlineMs - Date.now();
        await Promise.race([x.exitedP, new Promise((r) => setTimeout(r, Math.max(0, left)))]);
        const killed = running(x.proc);
        if (killed) x.proc.kill("SIGKILL");
        await x.exitedP;
        return { name: x.name, exitedAt: x.exitedAt, killed, ...x.exit };
      }),
    );
    return { startedAt, deadlineMs, extensions: ends };
  }

  async function close() {
    closing = true;
    setFrozen(false);
    for (const p of processes()) p.kill("SIGKILL"); // a stopped process dies of SIGKILL too
    await Promise.all([exited, ...started.map((x) => x.exitedP)].filter(Boolean));
    waitingNext?.destroy();
    for (const x of extensions.values()) x.waiting?.destroy();
    server.closeAllConnections?.();
    await new Promise((r) => server.close(() => r()));
  }

  return {
    invoke,
    shutdown,
    close,
    /** What the function and its extensions printed (the runtime client's structured logs). */
    logs: () => logs,
    isFrozen: () => frozen,
    /** When the runtime process exited (undefined while it runs). */
    runtimeExitedAt: () => runtimeExitedAt,
    /** The extension processes, by name: to crash one (`kill`), or read its pid. */
    extension: (name) => started.find((x) => x.name === name)?.proc,
    /** Lets the frozen processes run without an invocation (to see what they do once thawed). */
    thaw: () => setFrozen(false),
    freeze: () => setFrozen(true),
  };
}
