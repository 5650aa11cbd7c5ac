// The kit's side of a local forwarder (the LumiqTrace Lambda extension): the current client sends its
// batches there over loopback, and the adapter says when an invocation is over. See ../forwarding.ts for
// what happens when the forwarder does not take a batch.
import { EXTENSION_HEADER, EXTENSION_INFO_PATH } from "@lumiqtrace/protocol/extension";
import type { ProcessClient } from "../client.js";
import { getClient } from "../global.js";
import { debug } from "../logger.js";

export interface Forwarder {
  readonly url: string;
  /** Tells the forwarder the invocation is over, so it sends on what it holds now. Never rejects. */
  done(invocationId: string): Promise<void>;
}

/** The forwarder of each client (a new `init()` makes a new client, which starts without one). */
const forwarders = new WeakMap<object, Forwarder>();

/**
 * Makes the current client send every batch to the forwarder at `url` (`http://127.0.0.1:4449`), which
 * answers at once and sends on to the configured backend later; what it does not take goes to the
 * backend directly, as without it. Idempotent per client. Undefined when tracing is off.
 */
export function forwardTo(url: string): Forwarder | undefined {
  try {
    const client = getClient() as ProcessClient;
    if (!client.options.enabled || typeof client.routeThrough !== "function") return undefined;
    const known = forwarders.get(client);
    if (known) return known;
    const down = { yes: false };
    // the forwarding sender and the transports load with the client's delivery, not with the kit
    client.routeThrough(() =>
      import("../forwarding.js").then((m) => {
        const exporter = m.loopbackExporter(url, down);
        return (destinations, drops) =>
          m.createForwardingSender(client.options, exporter, destinations, drops);
      }),
    );
    const forwarder: Forwarder = {
      url,
      async done(invocationId) {
        if (down.yes) return;
        try {
          const status = await (await import("../forwarding.js")).sayDone(url, invocationId);
          if (status >= 300) debug(`the extension answered HTTP ${status} to "done"`);
        } catch (error) {
          down.yes = true; // the next batches go to the backend directly
          debug(`the extension did not take "done" (${String(error)})`);
        }
      },
    };
    forwarders.set(client, forwarder);
    return forwarder;
  } catch {
    return undefined;
  }
}

/** Whether the LumiqTrace extension answers at `url` (a GET of its info path, within `timeoutMs`). Never rejects. */
export async function forwarderAnswers(url: string, timeoutMs = 200): Promise<boolean> {
  const http = (
    globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
  ).process?.getBuiltinModule?.("node:http") as
    | {
        get(
          url: string,
          o: object,
          f: (res: { headers: Record<string, unknown>; resume(): void }) => void,
        ): {
          on(e: string, f: () => void): void;
          destroy(): void;
        };
      }
    | undefined;
  if (!http) return false;
  return new Promise((resolve) => {
    try {
      const req = http.get(`${url}${EXTENSION_INFO_PATH}`, { timeout: timeoutMs }, (res) => {
        res.resume();
        resolve(res.headers[EXTENSION_HEADER] !== undefined);
      });
      req.on("error", () => resolve(false));
      req.on("timeout", () => {
        req.destroy();
        resolve(false);
      });
    } catch {
      resolve(false);
    }
  });
}
