import { createDropReport } from "./drops.js";
import { debug, setDebug, setSecrets, warn, warnOnce } from "./logger.js";
import type { ResolvedOptions } from "./options.js";
import { createQueue, type QueuedEvent } from "./queue.js";
import { estimateSize, MAX_EVENT_CHARS, trimToLimit } from "./event-size.js";
import { toJsonSafe } from "./serialize.js";
import { batchBody, postBatch } from "./transport.js";
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
}

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

/** An event as JSON: as it is when JSON takes it, else its safe copy (bounded by the event limit). */
function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "null";
  } catch {
    return JSON.stringify(toJsonSafe(value, MAX_EVENT_CHARS));
  }
}

const MAX_BATCH_CHARS = 4 * 1024 * 1024;
/** How long a send started by the timer or a full batch may keep retrying when nobody waits for it. */
const BACKGROUND_BUDGET_MS = 30_000;

/** A wait that `cancel()` ends early: no timer of ours may outlive the work it guards. */
function sleep(ms: number, keepAlive: boolean): { done: Promise<void>; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let cancel = () => {};
  const done = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    if (!keepAlive) (timer as { unref?: () => void }).unref?.();
    cancel = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return { done, cancel };
}

export function backoffMs(attempt: number): number {
  const base = Math.min(100 * 2 ** attempt, 5000);
  return base / 2 + Math.random() * (base / 2);
}

/** A batch being sent, and when the next sign of progress is due. */
interface Send {
  readonly first: number;
  readonly batch: QueuedEvent[];
  expectBy: number;
  settled?: Promise<unknown>;
}

/**
 * Past its `expectBy` by this much, a send is taken for dead. On Cloudflare Workers a request's I/O and
 * timers end with the request, so a send started by one request and outlived by it never settles.
 */
const STALL_MS = 1000;

export function createClient(options: ResolvedOptions): ProcessClient {
  setDebug(options.debug);
  setSecrets([options.apiKey]);
  const drops = createDropReport();
  const url = `${options.baseUrl}/v1/batch`;
  const queue = createQueue(options.maxQueueSize, options.maxQueueBytes);
  let seq = 0;
  let sending: Send | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timerDue = 0;
  let exitFlushed = false;
  /** After shutdown(): no batch timer until new events arrive. */
  let stopped = false;
  let unreportedDrops = 0;
  /** No request before this time: the server asked for a pause with Retry-After. */
  let notBefore = 0;
  const stats = { delivered: 0, dropped: 0 };

  /** Counts events given up, reports them in the next batch, and tells the user (a warning per cause). */
  function countDropped(n: number, why: string, detail?: string): void {
    if (n <= 0) return;
    stats.dropped += n;
    unreportedDrops += n;
    drops.report("dropped", n, why, detail);
  }

  /** Why the last send failed (cleared by a delivery): said when a deadline leaves events queued, and at exit. */
  let lastFailure: string | undefined;

  const queueFull = () =>
    `the queue is full (maxQueueSize ${options.maxQueueSize}, maxQueueBytes ${options.maxQueueBytes}); the oldest go first`;

  function isDone(target: number): boolean {
    const first = queue.firstSeq();
    return (first === undefined || first > target) && (sending === undefined || sending.first > target);
  }

  /** Takes back the batch of a send that stopped making progress; the server de-duplicates if it did arrive. */
  function reclaimStalled(): void {
    if (sending && Date.now() > sending.expectBy) {
      debug("a send stopped making progress (the request that started it ended?); its events go again");
      countDropped(queue.putBack(sending.batch), queueFull());
      sending = undefined;
    }
  }

  /** Sends one batch with retries until `deadline`; returns the events to put back because the deadline came first. */
  async function deliver(
    send: Send,
    batch: QueuedEvent[],
    deadline: number,
    keepAlive: boolean,
  ): Promise<QueuedEvent[]> {
    for (let attempt = 0; ; attempt++) {
      const pause = notBefore - Date.now();
      if (pause > 0) {
        if (Date.now() + pause >= deadline) return batch;
        send.expectBy = Date.now() + pause + STALL_MS;
        await sleep(pause, keepAlive).done;
      }
      const left = deadline - Date.now();
      if (left <= 0) return batch;
      const timeoutMs = Math.min(options.timeoutMs, left);
      send.expectBy = Date.now() + timeoutMs + STALL_MS;
      const dropped = unreportedDrops;
      const body = batchBody(
        batch.map((e) => (e.json ??= safeStringify(e.event))),
        dropped,
      );
      const outcome = await postBatch(url, options.apiKey, body, timeoutMs);
      switch (outcome.kind) {
        case "delivered":
          lastFailure = undefined;
          unreportedDrops -= dropped;
          stats.delivered += batch.length;
          debug(`delivered ${batch.length} event(s)`);
          return [];
        case "rejected":
          countDropped(
            batch.length,
            outcome.status === 401 || outcome.status === 403
              ? `the API key was refused (HTTP ${outcome.status}); events are dropped until it is fixed`
              : `the server refused a batch (HTTP ${outcome.status})`,
            outcome.message.slice(0, 200),
          );
          return [];
        case "too-large": {
          if (batch.length === 1) {
            countDropped(1, "an event too large for the server (HTTP 413)");
            return [];
          }
          const half = Math.ceil(batch.length / 2);
          const first = await deliver(send, batch.slice(0, half), deadline, keepAlive);
          const second = await deliver(send, batch.slice(half), deadline, keepAlive);
          return first.concat(second);
        }
        case "retry": {
          lastFailure = outcome.reason;
          if (attempt >= options.maxRetries) {
            countDropped(batch.length, `${outcome.reason}, after ${attempt + 1} attempts`);
            return [];
          }
          const wait = outcome.retryAfterMs ?? backoffMs(attempt);
          if (outcome.retryAfterMs !== undefined) notBefore = Date.now() + wait;
          if (Date.now() + wait >= deadline) return batch;
          debug(`retrying in ${Math.round(wait)} ms (${outcome.reason})`);
          send.expectBy = Date.now() + wait + STALL_MS;
          await sleep(wait, keepAlive).done;
        }
      }
    }
  }

  /**
   * Sends until everything up to `target` is delivered or given up, or `deadline` comes. It runs in its
   * caller's context and stops once its own target is done: a loop never outlives the flush (and so the
   * request) that runs it. While another caller's batch is on its way, it waits, and takes over if that
   * send has stalled.
   */
  async function sendUpTo(target: number, deadline: number, keepAlive: boolean): Promise<void> {
    try {
      while (!isDone(target) && Date.now() < deadline) {
        reclaimStalled();
        const other = sending;
        if (other) {
          const wait = sleep(Math.max(1, Math.min(other.expectBy, deadline) - Date.now()), keepAlive);
          await Promise.race([other.settled, wait.done]);
          wait.cancel();
          continue;
        }
        const batch = queue.take(options.batchSize, MAX_BATCH_CHARS);
        if (batch.length === 0) return;
        const send: Send = {
          first: batch[0]!.seq,
          batch,
          expectBy: Infinity,
        };
        sending = send;
        const settled = deliver(send, batch, deadline, keepAlive);
        send.settled = settled;
        const back = await settled;
        if (sending !== send) continue; // taken for dead meanwhile: its batch is already back in the queue
        sending = undefined;
        if (back.length > 0) {
          // the deadline came first: kept for the next flush, and said when a failure is why
          if (lastFailure) drops.report("kept", back.length, lastFailure);
          countDropped(queue.putBack(back), queueFull());
          schedule();
          return;
        }
      }
    } catch (error) {
      debug(`send failed: ${String(error)}`);
    }
  }

  /** In the background, send the full batches there are (a partial one waits for the timer or a flush). */
  function sendFullBatches(): void {
    const full = Math.floor(queue.length / options.batchSize) * options.batchSize;
    if (full === 0) return;
    void sendUpTo(queue.seqAt(full - 1)!, Date.now() + BACKGROUND_BUDGET_MS, false).then(() => {
      if (!sending && queue.length >= options.batchSize) sendFullBatches();
    });
  }

  function schedule(): void {
    if (stopped) return;
    // a timer set during a request that has since ended (Workers) never fires: set a new one
    if (timer !== undefined && Date.now() < timerDue + STALL_MS) return;
    if (timer !== undefined) clearTimeout(timer);
    const wait = Math.max(options.flushIntervalMs, notBefore - Date.now());
    timerDue = Date.now() + wait;
    timer = setTimeout(() => {
      timer = undefined;
      void sendUpTo(seq, Date.now() + BACKGROUND_BUDGET_MS, false).then(() => {
        if (queue.length > 0) schedule();
      });
    }, wait);
    (timer as { unref?: () => void }).unref?.();
  }

  /**
   * A last flush when a Node process runs out of work (serverless freezes skip it, so adapters flush).
   * Once per burst of events: when it could not deliver (server down, or hanging), Node would empty its
   * loop and ask again, forever; a process must be able to exit. New events start a new burst.
   */
  function flushOnExit(): void {
    if (exitFlushed || (queue.length === 0 && !sending)) return;
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
      countDropped(queue.push({ seq: ++seq, event: e, size, json }), queueFull());
      exitFlushed = false;
      stopped = false;
      if (queue.length >= options.batchSize && !sending) sendFullBatches();
      else schedule();
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
      reclaimStalled();
      const target = seq;
      if (isDone(target) || timeoutMs === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        // the deadline holds even if a send in flight never settles
        const bound = setTimeout(resolve, timeoutMs);
        void sendUpTo(target, Date.now() + timeoutMs, true).then(() => {
          clearTimeout(bound);
          resolve();
        });
      });
    } catch {
      return Promise.resolve();
    }
  }

  async function shutdown(flushOptions?: FlushOptions): Promise<void> {
    stopped = true;
    clearTimeout(timer);
    timer = undefined;
    await flush(flushOptions);
    // the last flush ran: unless new events came meanwhile, the exit hook does not try again
    if (stopped) exitFlushed = true;
  }

  function atExit(): void {
    const left = queue.length + (sending?.batch.length ?? 0);
    if (left > 0)
      countDropped(
        left,
        "still queued when the process exited",
        lastFailure ? `the last try: ${lastFailure}` : "flush before the process ends",
      );
    drops.tellRest();
  }

  return {
    options,
    capture,
    flush,
    shutdown,
    flushOnExit,
    atExit,
    stats: () => ({
      queued: queue.length + (sending?.batch.length ?? 0),
      delivered: stats.delivered,
      dropped: stats.dropped,
    }),
  };
}
