// What the client loads when the first event comes (client.ts): the queue of each destination, trimming
// and beforeSend, the send loops with their retries, the transports, the drop report. Kept out of the
// main entry so that importing the SDK stays cheap; it is loaded while the first invocation runs.
import type { FlushOptions, MakeSender, ProcessClient } from "./client.js";
import { createDropReport } from "./drops.js";
import { estimateSize, MAX_EVENT_CHARS, safeStringify, trimToLimit } from "./event-size.js";
import { debug, warn, warnOnce } from "./logger.js";
import type { ResolvedOptions } from "./options.js";
import { createSender, type Exporter } from "./sender.js";
import { toJsonSafe } from "./serialize.js";
import { batchBody, originOf, postBatch } from "./transport.js";
import type { SpanEvent } from "./types.js";

/** The client's delivery: what `ProcessClient` does, once loaded. */
export interface Delivery extends Omit<ProcessClient, "options" | "routeThrough"> {
  /** From now on every event goes to the sender `make` builds on the destinations' senders. Once. */
  routeThrough(make: MakeSender): void;
  /** Events given up before they reached it (the client's, before it loaded): counted, said, reported. */
  countDropped(n: number, why: string): void;
}

export function createDelivery(options: ResolvedOptions): Delivery {
  const drops = createDropReport();
  const destinations = options.exporters.map((name) =>
    createSender(options, name === "otlp" ? otlpExporter(options) : lumiqtraceExporter(options), drops),
  );
  let senders = destinations;
  let seq = 0;
  let exitFlushed = false;
  let droppedHere = 0;

  /** Events given up before any destination had them (beforeSend's): said, and reported by every destination. */
  function countDropped(n: number, why: string): void {
    droppedHere += n;
    drops.report("dropped", n, why);
    for (const s of senders) s.noteDropped(n);
  }

  const isDone = (target: number) => senders.every((s) => s.isDone(target));

  /**
   * A last flush when a Node process runs out of work (serverless freezes skip it, so adapters flush).
   * Once per burst of events: when it could not deliver (server down, or hanging), Node would empty its
   * loop and ask again, forever; a process must be able to exit. New events start a new burst.
   */
  function flushOnExit(): void {
    if (exitFlushed || isDone(seq)) return;
    exitFlushed = true;
    void flush();
  }

  function capture(event: SpanEvent): void {
    if (!options.enabled) return;
    try {
      let e = event;
      let size = estimateSize(e);
      if (size > MAX_EVENT_CHARS) {
        ({ event: e, size } = trimToLimit(e, size));
        warnOnce(
          "event-trimmed",
          `an event ("${e.name}") was over the 1 MiB limit: its largest values were cut (listed in its lumiqtrace.truncated attribute) and it is kept`,
        );
      }
      let json: string | undefined;
      if (options.beforeSend) {
        let changed: SpanEvent | null | undefined;
        try {
          changed = options.beforeSend(e);
        } catch (error) {
          warnOnce("beforeSend-threw", `beforeSend threw (${String(error)}); the event is dropped`);
          changed = null;
        }
        if (!changed) return;
        // beforeSend may return (or change in place) anything: serialise it now, safely, to measure and freeze it
        json = JSON.stringify(toJsonSafe(changed, MAX_EVENT_CHARS));
        size = json.length;
        e = changed;
        if (size > MAX_EVENT_CHARS) {
          warnOnce("beforeSend-too-large", "beforeSend returned an event over the 1 MiB limit; dropped");
          countDropped(1, "event too large");
          return;
        }
      }
      const queued = { seq: ++seq, event: e, size, json };
      for (const s of senders) s.push(queued);
      exitFlushed = false;
    } catch (error) {
      debug(`capture failed: ${String(error)}`);
    }
  }

  function flush(flushOptions?: FlushOptions): Promise<void> {
    try {
      let timeoutMs = flushOptions?.timeoutMs ?? options.timeoutMs;
      if (typeof timeoutMs !== "number" || !(timeoutMs >= 0)) {
        warn(`flush timeoutMs must be a number >= 0; using ${options.timeoutMs}`);
        timeoutMs = options.timeoutMs;
      }
      for (const s of senders) s.reclaimStalled();
      const target = seq;
      if (isDone(target) || timeoutMs === 0) return Promise.resolve();
      const deadline = Date.now() + timeoutMs;
      return new Promise<void>((resolve) => {
        // the deadline holds even if a send in flight never settles
        const bound = setTimeout(resolve, timeoutMs);
        void Promise.all(senders.map((s) => s.sendUpTo(target, deadline, true))).then(() => {
          clearTimeout(bound);
          resolve();
        });
      });
    } catch {
      return Promise.resolve();
    }
  }

  function atExit(): void {
    for (const s of senders) s.atExit();
    drops.tellRest();
  }

  async function shutdown(flushOptions?: FlushOptions): Promise<void> {
    for (const s of senders) s.stop();
    const target = seq;
    await flush(flushOptions);
    // the last flush ran: unless new events came meanwhile, the exit hook does not try again
    if (seq === target) exitFlushed = true;
  }

  return {
    countDropped,
    capture,
    flush,
    flushOnExit,
    atExit,
    shutdown,
    routeThrough(make) {
      if (senders === destinations) senders = [make(destinations, drops)];
    },
    stats() {
      const each = senders.map((s) => s.stats());
      return {
        queued: Math.max(0, ...each.map((x) => x.queued)),
        delivered: each.reduce((n, x) => n + x.delivered, 0),
        dropped: droppedHere + each.reduce((n, x) => n + x.dropped, 0),
      };
    },
  };
}

/** The LumiqTrace ingest API (`POST {baseUrl}/v1/batch`): JSON batches, de-duplicated by event id. */
function lumiqtraceExporter(options: ResolvedOptions): Exporter {
  const url = `${options.baseUrl}/v1/batch`;
  return {
    name: originOf(url),
    send: (batch, dropped, timeoutMs) =>
      postBatch(
        url,
        options.apiKey,
        batchBody(
          batch.map((e) => (e.json ??= safeStringify(e.event))),
          dropped,
        ),
        timeoutMs,
      ),
    refusal: (status) =>
      status === 401 || status === 403
        ? `the API key was refused (HTTP ${status}); events are dropped until it is fixed`
        : `the server refused a batch (HTTP ${status})`,
  };
}

/**
 * OTLP/HTTP, loaded when first used: a user who does not choose it never loads its mapping and
 * encoders (the main entry stays small; bundlers make it a chunk of its own).
 */
function otlpExporter(options: ResolvedOptions): Exporter {
  let loading: Promise<Exporter> | undefined;
  let loaded: Exporter | undefined;
  const load = () =>
    (loading ??= import("./otlp/exporter.js").then((m) => (loaded = m.createOtlpExporter(options))));
  return {
    get name() {
      return loaded?.name ?? "the OTLP endpoint";
    },
    async send(batch, dropped, timeoutMs) {
      try {
        return await (await load()).send(batch, dropped, timeoutMs);
      } catch (error) {
        return {
          kind: "rejected",
          status: 0,
          message: `the OTLP exporter could not load (${String(error)})`,
        };
      }
    },
    refusal: (status) => loaded?.refusal(status) ?? `the OTLP endpoint refused a batch (HTTP ${status})`,
  };
}
