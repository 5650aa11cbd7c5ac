// The delivery of one destination (an exporter): its bounded queue, batching, the send loop with
// retries and backoff within a deadline, the timer, and what it tells when events are given up. With
// two exporters each has its own, so a batch one destination accepted is never sent to it again
// because the other failed (OTLP has no de-duplication).
import type { DropReport } from "./drops.js";
import { debug } from "./logger.js";
import type { ResolvedOptions } from "./options.js";
import { createQueue, type QueuedEvent } from "./queue.js";
import type { SendOutcome } from "./transport.js";

/** How one destination takes a batch. */
export interface Exporter {
  /** Where batches go, for what is said: `http://127.0.0.1:4477`, `the OTLP endpoint http://...`. */
  readonly name: string;
  /** One POST of one batch; `dropped`: events given up since the last delivered batch. Never throws. */
  send(batch: QueuedEvent[], dropped: number, timeoutMs: number): Promise<SendOutcome>;
  /** What is said when it refuses a batch with this (non-retryable) status. */
  refusal(status: number): string;
}

export interface Sender {
  push(event: QueuedEvent): void;
  /** Sends until everything up to `target` is done or `deadline` comes; never rejects. */
  sendUpTo(target: number, deadline: number, keepAlive: boolean): Promise<void>;
  isDone(target: number): boolean;
  /** Takes back a send that stopped making progress (Workers end a request's I/O with the request). */
  reclaimStalled(): void;
  /** Counts events dropped before they reached this destination's queue, for its next batch's `dropped`. */
  noteDropped(n: number): void;
  /** At process exit: what is left is counted and said. */
  atExit(): void;
  /** No batch timer until the next event (shutdown). */
  stop(): void;
  stats(): { queued: number; delivered: number; dropped: number };
}

const MAX_BATCH_CHARS = 4 * 1024 * 1024;
/** How long a send started by the timer or a full batch may keep retrying when nobody waits for it. */
const BACKGROUND_BUDGET_MS = 30_000;

/** A wait that `cancel()` ends early: no timer of ours may outlive the work it guards. */
interface Sleep {
  done: Promise<void>;
  cancel(): void;
  /** From now on the wait keeps the process alive (a flush joined a background wait). */
  keep(): void;
}

function sleep(ms: number, keepAlive: boolean): Sleep {
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
  return { done, cancel, keep: () => void (timer as { ref?: () => void }).ref?.() };
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
  /** The one wait that every flush arriving meanwhile shares: one timer per send, not one per flush. */
  waiting?: { done: Promise<void>; keep(): void };
}

/** Until `send` settles or is due to show progress (a stalled send is then reclaimed); shared by all who wait. */
function waitFor(send: Send, keepAlive: boolean): Promise<void> {
  let shared = send.waiting;
  if (!shared) {
    const wait = sleep(Math.max(1, send.expectBy - Date.now()), keepAlive);
    const mine = {
      done: Promise.race([send.settled, wait.done]).then(() => {
        wait.cancel();
        // a later wait reads expectBy again (a retry may have moved it)
        if (send.waiting === mine) send.waiting = undefined;
      }),
      keep: wait.keep,
    };
    shared = send.waiting = mine;
  }
  if (keepAlive) shared.keep();
  return shared.done;
}

/**
 * Past its `expectBy` by this much, a send is taken for dead. On Cloudflare Workers a request's I/O and
 * timers end with the request, so a send started by one request and outlived by it never settles.
 */
const STALL_MS = 1000;

export function createSender(options: ResolvedOptions, exporter: Exporter, drops: DropReport): Sender {
  const queue = createQueue(options.maxQueueSize, options.maxQueueBytes);
  let sending: Send | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timerDue = 0;
  let unreportedDrops = 0;
  let lastSeq = 0;
  /** After stop(): no batch timer until new events arrive. */
  let stopped = false;
  /** No request before this time: the server asked for a pause with Retry-After. */
  let notBefore = 0;
  /** Why the last send failed (cleared by a delivery): said when a deadline leaves events queued, and at exit. */
  let lastFailure: string | undefined;
  const stats = { delivered: 0, dropped: 0 };

  /** Counts events given up, reports them in the next batch, and tells the user (a warning per cause). */
  function countDropped(n: number, why: string, detail?: string): void {
    if (n <= 0) return;
    stats.dropped += n;
    unreportedDrops += n;
    drops.report("dropped", n, why, detail);
  }

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
      const outcome = await exporter.send(batch, dropped, timeoutMs);
      switch (outcome.kind) {
        case "delivered": {
          lastFailure = undefined;
          unreportedDrops -= dropped;
          const refused = Math.min(outcome.rejected ?? 0, batch.length);
          stats.delivered += batch.length - refused;
          countDropped(refused, `${exporter.name} refused some spans (partial success)`, outcome.message);
          debug(`delivered ${batch.length - refused} event(s) to ${exporter.name}`);
          return [];
        }
        case "rejected":
          countDropped(batch.length, exporter.refusal(outcome.status), outcome.message.slice(0, 200));
          return [];
        case "too-large": {
          if (batch.length === 1) {
            countDropped(1, `an event too large for ${exporter.name} (HTTP 413)`);
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
   * request) that runs it. While another caller's batch is on its way, it joins the wait for that send
   * (one send in flight; what was queued meanwhile goes together in the next), and takes over if that
   * send has stalled.
   */
  async function sendUpTo(target: number, deadline: number, keepAlive: boolean): Promise<void> {
    let timeUp: Sleep | undefined;
    try {
      while (!isDone(target) && Date.now() < deadline) {
        reclaimStalled();
        const other = sending;
        if (other) {
          timeUp ??= sleep(Math.max(1, deadline - Date.now()), keepAlive);
          await Promise.race([waitFor(other, keepAlive), timeUp.done]);
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
    } finally {
      timeUp?.cancel();
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
      void sendUpTo(lastSeq, Date.now() + BACKGROUND_BUDGET_MS, false).then(() => {
        if (queue.length > 0) schedule();
      });
    }, wait);
    (timer as { unref?: () => void }).unref?.();
  }

  return {
    push(event) {
      lastSeq = event.seq;
      stopped = false;
      countDropped(queue.push(event), queueFull());
      if (queue.length >= options.batchSize && !sending) sendFullBatches();
      else schedule();
    },
    sendUpTo,
    isDone,
    reclaimStalled,
    noteDropped: (n) => void (unreportedDrops += n),
    stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
    },
    atExit() {
      const left = queue.length + (sending?.batch.length ?? 0);
      if (left > 0)
        countDropped(
          left,
          "still queued when the process exited",
          lastFailure ? `the last try: ${lastFailure}` : "flush before the process ends",
        );
    },
    stats: () => ({
      queued: queue.length + (sending?.batch.length ?? 0),
      delivered: stats.delivered,
      dropped: stats.dropped,
    }),
  };
}
