// The two Lambda APIs an external extension speaks, as AWS documents them: the Extensions API (register,
// then event/next in a loop; INVOKE and SHUTDOWN events) and the Telemetry API's subscription.
import { request } from "node:http";

export type LambdaEvent =
  | { eventType: "INVOKE"; requestId: string; deadlineMs: number; invokedFunctionArn?: string }
  | { eventType: "SHUTDOWN"; shutdownReason?: string; deadlineMs: number };

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request to the runtime API; `timeoutMs` undefined: none (event/next waits as long as Lambda likes). */
function call(
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: string,
  timeoutMs?: number,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false, timeout: timeoutMs }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}

export interface ExtensionsApi {
  /** Registers for INVOKE and SHUTDOWN; resolves with the extension's identifier. */
  register(): Promise<string>;
  /** The next event; Lambda may freeze the environment while this waits. */
  next(): Promise<LambdaEvent>;
  /** Subscribes to the platform telemetry stream, delivered to `uri`. Resolves false when refused. */
  subscribeTelemetry(uri: string): Promise<boolean>;
  /** Tells Lambda the extension failed during init (Lambda then restarts the environment). */
  initError(type: string, message: string): Promise<void>;
}

export function extensionsApi(runtimeApi: string, name: string): ExtensionsApi {
  const base = `http://${runtimeApi}`;
  let id = "";
  const json = { "content-type": "application/json" };
  return {
    async register() {
      const answer = await call(
        "POST",
        `${base}/2020-01-01/extension/register`,
        { ...json, "lambda-extension-name": name },
        JSON.stringify({ events: ["INVOKE", "SHUTDOWN"] }),
        10_000,
      );
      const header = answer.headers["lambda-extension-identifier"];
      if (answer.status !== 200 || typeof header !== "string")
        throw new Error(`register answered HTTP ${answer.status}: ${answer.body.slice(0, 200)}`);
      id = header;
      return id;
    },
    async next() {
      const answer = await call("GET", `${base}/2020-01-01/extension/event/next`, {
        "lambda-extension-identifier": id,
      });
      if (answer.status !== 200) throw new Error(`event/next answered HTTP ${answer.status}`);
      return JSON.parse(answer.body) as LambdaEvent;
    },
    async subscribeTelemetry(uri) {
      const answer = await call(
        "PUT",
        `${base}/2022-07-01/telemetry`,
        { ...json, "lambda-extension-identifier": id },
        JSON.stringify({
          schemaVersion: "2022-12-13",
          types: ["platform"],
          // the least buffering Lambda allows: runtimeDone should come as soon as it can
          buffering: { maxItems: 1000, maxBytes: 256 * 1024, timeoutMs: 25 },
          destination: { protocol: "HTTP", URI: uri },
        }),
        5000,
      );
      return answer.status === 200;
    },
    async initError(type, message) {
      await call(
        "POST",
        `${base}/2020-01-01/extension/init/error`,
        { ...json, "lambda-extension-identifier": id, "lambda-extension-function-error-type": type },
        JSON.stringify({ errorMessage: message, errorType: type }),
        5000,
      ).catch(() => undefined);
    },
  };
}
