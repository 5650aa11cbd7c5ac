import { shutdown } from "@lumiqtrace/sdk/serverless";

export interface FlushOnSignalsOptions {
  /** The most the drain may take, ms. Default: the SDK's `timeoutMs` (5000). Cloud Run allows 10 s after SIGTERM. */
  timeoutMs?: number;
  /** Default `["SIGTERM", "SIGINT"]`. */
  signals?: NodeJS.Signals[];
}

const INSTALLED = Symbol.for("@lumiqtrace/node.flush-on-signals");
type Holder = { [INSTALLED]?: () => void };

/**
 * On SIGTERM (a container being scaled down) or SIGINT: `lumiqtrace.shutdown({ timeoutMs })`, then the
 * process ends the way it would have without us. With no listener of the app's own, that is by the same
 * signal, raised again once our listener is gone; with one, the app's listener decides. A second signal
 * during the drain ends the process at once. Returns a function that removes the listeners. Calling it
 * again replaces the earlier listeners: one set per process.
 */
export function flushOnSignals(options: FlushOnSignalsOptions = {}): () => void {
  const holder = globalThis as Holder;
  holder[INSTALLED]?.();
  const signals =
    Array.isArray(options.signals) && options.signals.length ? options.signals : ["SIGTERM", "SIGINT"];
  const onSignal = (signal: NodeJS.Signals) => {
    remove();
    // counted now, ours gone: a listener of the app's own means the signal would not have ended the process
    const appListens = process.listenerCount(signal) > 0;
    void shutdown({ timeoutMs: options.timeoutMs }).then(() => {
      if (!appListens) process.kill(process.pid, signal);
    });
  };
  const remove = () => {
    for (const s of signals) process.off(s, onSignal);
    if (holder[INSTALLED] === remove) delete holder[INSTALLED];
  };
  for (const s of signals) process.on(s, onSignal);
  holder[INSTALLED] = remove;
  return remove;
}
