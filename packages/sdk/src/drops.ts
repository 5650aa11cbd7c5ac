// Telling the user when events are given up: one warning per cause, at most one a minute per cause,
// each saying how many were dropped since the last; what is still untold when the process exits is
// told then. (A user who forgot to start the collector learns it from the first line.)
import { warn } from "./logger.js";

const QUIET_MS = 60_000;

export interface DropReport {
  /** `cause` groups the warnings (`the server refused a batch (HTTP 400)`); `detail` is said with it, not grouped on. */
  dropped(count: number, cause: string, detail?: string): void;
  /** Says what is still untold (at process exit). */
  tellRest(): void;
}

export function createDropReport(now: () => number = Date.now): DropReport {
  const causes = new Map<string, { warnedAt: number; events: number; times: number }>();
  const say = (cause: string, events: number, times: number, detail?: string) =>
    warn(
      `${events} event${events === 1 ? "" : "s"} dropped: ${cause}${detail ? `: ${detail}` : ""}${times > 1 ? `; ${times} times since the last warning` : ""}`,
    );
  return {
    dropped(count, cause, detail) {
      if (count <= 0) return;
      let c = causes.get(cause);
      if (!c) causes.set(cause, (c = { warnedAt: Number.NEGATIVE_INFINITY, events: 0, times: 0 }));
      c.events += count;
      c.times++;
      if (now() - c.warnedAt < QUIET_MS) return;
      say(cause, c.events, c.times, detail);
      c.warnedAt = now();
      c.events = c.times = 0;
    },
    tellRest() {
      for (const [cause, c] of causes) {
        if (c.events > 0) say(cause, c.events, c.times);
        c.events = c.times = 0;
      }
    },
  };
}
