// Telling the user when events are given up, or could not be sent in time: one warning per cause, at
// most one a minute per cause, each saying how many since the last; what is still untold when the
// process exits is told then. (A user who forgot to start the collector learns it from the first line.)
import { warn } from "./logger.js";

const QUIET_MS = 60_000;

/** `dropped`: given up for good; `kept`: not sent before a flush's deadline, still queued. */
export type DropKind = "dropped" | "kept";

export interface DropReport {
  /** `cause` groups the warnings (`the server refused a batch (HTTP 400)`); `detail` is said with it, not grouped on. */
  report(kind: DropKind, count: number, cause: string, detail?: string): void;
  /** Says what is still untold (at process exit). */
  tellRest(): void;
}

const WHAT: Record<DropKind, string> = { dropped: "dropped", kept: "not sent yet (kept for the next flush)" };

export function createDropReport(now: () => number = Date.now): DropReport {
  const causes = new Map<
    string,
    { kind: DropKind; cause: string; warnedAt: number; events: number; times: number }
  >();
  const plural = (n: number) => `${n} event${n === 1 ? "" : "s"}`;
  return {
    report(kind, count, cause, detail) {
      if (count <= 0) return;
      const key = `${kind}:${cause}`;
      let c = causes.get(key);
      if (!c) causes.set(key, (c = { kind, cause, warnedAt: Number.NEGATIVE_INFINITY, events: 0, times: 0 }));
      c.events += count;
      c.times++;
      if (now() - c.warnedAt < QUIET_MS) return;
      const since = c.times > 1 ? `; ${c.times} times since the last warning` : "";
      warn(`${plural(c.events)} ${WHAT[kind]}: ${cause}${detail ? `: ${detail}` : ""}${since}`);
      c.warnedAt = now();
      c.events = c.times = 0;
    },
    tellRest() {
      for (const c of causes.values()) {
        if (c.events > 0 && c.kind === "dropped")
          warn(`${plural(c.events)} more dropped since the last warning: ${c.cause}`);
        c.events = c.times = 0;
      }
    },
  };
}
