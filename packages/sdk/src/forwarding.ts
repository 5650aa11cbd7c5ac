// Delivery through a local forwarder (the LumiqTrace Lambda extension): every batch goes to it first, over
// loopback, and it sends on to the backend after the response. A batch it does not take (it crashed, it is
// gone, it refused) goes to the configured destinations instead, and so does every batch after it: the
// function then flushes as it would without the forwarder.
import { EXTENSION_BATCH_PATH, EXTENSION_DONE_PATH } from "@lumiqtrace/protocol/extension";
import type { DropReport } from "./drops.js";
import { safeStringify } from "./event-size.js";
import { warnOnce } from "./logger.js";
import type { ResolvedOptions } from "./options.js";
import type { QueuedEvent } from "./queue.js";
import { createSender, type Exporter, type Sender } from "./sender.js";
import { batchBody, classify, postBody, type SendOutcome, unreachable } from "./transport.js";

/** A loopback write is answered in well under a millisecond, or the forwarder is not there. */
const FORWARD_TIMEOUT_MS = 1000;
const JSON_HEADERS = { "content-type": "application/json" };

/** Tells the forwarder at `url` that the invocation is over; the status it answered. Rejects on a network error. */
export async function sayDone(url: string, invocationId: string): Promise<number> {
  const body = JSON.stringify({ invocationId });
  return (await postBody(`${url}${EXTENSION_DONE_PATH}`, JSON_HEADERS, body, FORWARD_TIMEOUT_MS)).status;
}

/** The forwarder's batch endpoint as an exporter; `down` is set when it stops answering. */
export function loopbackExporter(url: string, down: { yes: boolean }): Exporter {
  const batchUrl = `${url}${EXTENSION_BATCH_PATH}`;
  const name = `the LumiqTrace extension at ${url}`;
  return {
    name,
    async send(batch, dropped, timeoutMs) {
      if (down.yes) return { kind: "retry", reason: `${name} stopped answering` };
      const body = batchBody(
        batch.map((e) => (e.json ??= safeStringify(e.event))),
        dropped,
      );
      try {
        const answer = await postBody(
          batchUrl,
          JSON_HEADERS,
          body,
          Math.min(timeoutMs, FORWARD_TIMEOUT_MS),
          Infinity,
        );
        return classify(batchUrl, answer, () => true);
      } catch (error) {
        down.yes = true;
        return unreachable(batchUrl, error);
      }
    },
    refusal: (status) => `${name} refused a batch (HTTP ${status})`,
  };
}

function why(outcome: SendOutcome): string {
  if (outcome.kind === "retry") return outcome.reason;
  if (outcome.kind === "rejected")
    return `HTTP ${outcome.status}${outcome.message ? `: ${outcome.message}` : ""}`;
  return "HTTP 413";
}

/**
 * A Sender that hands its batches to `forwarder`, and what the forwarder does not take to `destinations`
 * (the client's own senders, one per configured destination), which it also flushes.
 */
export function createForwardingSender(
  options: ResolvedOptions,
  forwarder: Exporter,
  destinations: Sender[],
  drops: DropReport,
): Sender {
  let broken = false;
  /** Events handed to the destinations: delivered by them, not by the forwarder. */
  let handed = 0;

  function handOver(batch: QueuedEvent[], dropped: number): void {
    handed += batch.length;
    for (const s of destinations) {
      s.noteDropped(dropped);
      for (const e of batch) s.push(e);
    }
  }

  const first: Exporter = {
    name: forwarder.name,
    async send(batch, dropped, timeoutMs) {
      if (!broken) {
        const outcome = await forwarder.send(batch, dropped, timeoutMs);
        if (outcome.kind === "delivered") return outcome;
        broken = true;
        warnOnce(
          "forwarder-failed",
          `${forwarder.name} did not take a batch (${why(outcome)}); sending to the backend directly from now on`,
        );
      }
      handOver(batch, dropped);
      return { kind: "delivered" };
    },
    refusal: forwarder.refusal,
  };
  const own = createSender(options, first, drops);
  const all = () => [own, ...destinations];

  return {
    push: own.push,
    async sendUpTo(target, deadline, keepAlive) {
      // the forwarder first: what it hands over is then in the destinations' queues for this same flush
      await own.sendUpTo(target, deadline, keepAlive);
      await Promise.all(destinations.map((s) => s.sendUpTo(target, deadline, keepAlive)));
    },
    isDone: (target) => all().every((s) => s.isDone(target)),
    reclaimStalled: () => {
      for (const s of all()) s.reclaimStalled();
    },
    noteDropped: own.noteDropped,
    atExit: () => {
      for (const s of all()) s.atExit();
    },
    stop: () => {
      for (const s of all()) s.stop();
    },
    stats() {
      const mine = own.stats();
      const theirs = destinations.map((s) => s.stats());
      return {
        queued: mine.queued + Math.max(0, ...theirs.map((x) => x.queued)),
        delivered: mine.delivered - handed + theirs.reduce((n, x) => n + x.delivered, 0),
        dropped: mine.dropped + theirs.reduce((n, x) => n + x.dropped, 0),
      };
    },
  };
}
