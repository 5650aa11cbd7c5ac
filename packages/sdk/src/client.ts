// The client every entry shares. It holds events until its delivery (delivery.ts: queues, send loops,
// transports) has loaded: that is imported when the first event is captured, so importing the SDK and
// `init` cost none of it, and a function that records nothing never loads it.
import type { Delivery } from "./delivery.js";
import type { DropReport } from "./drops.js";
import { addSecrets, setDebug, warn } from "./logger.js";
import type { ResolvedOptions } from "./options.js";
import type { Sender } from "./sender.js";
import type { SpanEvent } from "./types.js";

export interface FlushOptions {
  /** Give up waiting after this many ms (events not yet delivered stay queued). Default: `timeoutMs`. */
  timeoutMs?: number;
}

export interface ClientStats {
  /** Waiting to be sent, or being sent (held back by Retry-After included). */
  queued: number;
  delivered: number;
  /** Dropped by the queue's bounds, given up after retries, refused by the server, or still queued when the process exited. */
  dropped: number;
}

/** The client as global.ts holds it: with the hook its one process listener calls. */
export interface ProcessClient extends Client {
  /** `beforeExit`: one last flush, once per burst of events. */
  flushOnExit(): void;
  /** `exit`: what can no longer be sent is counted and said. */
  atExit(): void;
  /**
   * From now on every event goes to the sender `make` builds on the configured destinations' senders (the
   * Lambda extension's forwarder, `forwarding.ts`), once `loadMake` has loaded it (with the delivery, or
   * after it if that was there first: events meanwhile go to the destinations). Loaded, not imported, so
   * that only its users bundle it. Once.
   */
  routeThrough(loadMake: () => Promise<MakeSender>): void;
}

export type MakeSender = (destinations: Sender[], drops: DropReport) => Sender;

export interface Client {
  readonly options: ResolvedOptions;
  /** Queue a finished span. Never throws. */
  capture(event: SpanEvent): void;
  /** Resolves once everything captured before the call was delivered or given up, or at the deadline. Never rejects. */
  flush(options?: FlushOptions): Promise<void>;
  /** The last flush (bounded like `flush`), then no timer of ours is left; events recorded later are sent as usual. Never rejects. */
  shutdown(options?: FlushOptions): Promise<void>;
  stats(): ClientStats;
}

export function createClient(options: ResolvedOptions): ProcessClient {
  setDebug(options.debug);
  addSecrets([options.apiKey]);
  let delivery: Delivery | undefined;
  let loading: Promise<Delivery | undefined> | undefined;
  /**
   * Captured before the delivery loaded (a few events, for a few ms): bounded by maxQueueSize (the oldest
   * go), then handed to the delivery, whose queues also apply maxQueueBytes.
   */
  let early: SpanEvent[] = [];
  let droppedEarly = 0;
  /** A route asked for before the delivery loaded, and how many early events came before it. */
  let route: { ready: Promise<MakeSender | undefined>; at: number } | undefined;
  let routed = false;

  /** The delivery, and the forwarder's sender if a route was asked for before it was there. */
  async function loadDelivery(): Promise<Delivery | undefined> {
    let m: typeof import("./delivery.js");
    try {
      m = await import("./delivery.js");
    } catch (error) {
      warn(`could not load the SDK's delivery (${String(error)}); events are not sent`);
      early = [];
      return undefined;
    }
    // a route asked for by now applies to the events captured after it (routeThrough happens once)
    const r = route;
    const make = r && (await r.ready);
    const d = m.createDelivery(options);
    const at = r ? r.at : early.length;
    for (const e of early.slice(0, at)) d.capture(e);
    if (make) d.routeThrough(make);
    for (const e of early.slice(at)) d.capture(e);
    if (droppedEarly)
      d.countDropped(droppedEarly, "more than maxQueueSize events before the delivery loaded");
    early = [];
    delivery = d;
    return d;
  }
  const load = () => (loading ??= loadDelivery());

  /** What needs the delivery: at once when it is there, else once it has loaded (nothing to do without events). */
  const withDelivery = (use: (d: Delivery) => Promise<void>): Promise<void> =>
    delivery
      ? use(delivery)
      : early.length
        ? load().then((d) => (d ? use(d) : undefined))
        : Promise.resolve();

  return {
    options,
    capture(event) {
      if (delivery) return delivery.capture(event);
      if (!options.enabled) return;
      early.push(event);
      if (early.length > options.maxQueueSize) {
        early.shift();
        droppedEarly++;
        if (route && route.at > 0) route.at--;
      }
      void load();
    },
    flush: (flushOptions) => {
      const started = Date.now();
      return withDelivery((d) => {
        const timeoutMs = flushOptions?.timeoutMs;
        // the time the delivery took to load counts against the deadline
        return d.flush(
          typeof timeoutMs === "number" && timeoutMs >= 0
            ? { timeoutMs: Math.max(0, timeoutMs - (Date.now() - started)) }
            : flushOptions,
        );
      });
    },
    shutdown: (flushOptions) => withDelivery((d) => d.shutdown(flushOptions)),
    flushOnExit() {
      if (delivery) delivery.flushOnExit();
      else if (early.length) void load().then((d) => d?.flushOnExit());
    },
    atExit() {
      if (delivery) return delivery.atExit();
      const left = early.length + droppedEarly;
      if (left > 0)
        warn(`${left} event${left === 1 ? "" : "s"} dropped: the process exited before they could be sent`);
    },
    routeThrough(loadMake) {
      if (routed) return;
      routed = true;
      const ready = loadMake().catch((error) => {
        warn(`could not load the forwarder (${String(error)}); sending directly`);
        return undefined;
      });
      const d = delivery;
      if (d) void ready.then((make) => make && d.routeThrough(make));
      else route = { ready, at: early.length };
    },
    stats: () => delivery?.stats() ?? { queued: early.length, delivered: 0, dropped: droppedEarly },
  };
}
