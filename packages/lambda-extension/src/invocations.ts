// When an invocation is over, from the extension's side: the SDK says so (POST /v1/done, the moment the
// handler settled), or the Telemetry API's platform.runtimeDone does (also after a crash or a timeout),
// or its deadline comes. Whichever is first.

export type OverBy = "sdk" | "telemetry" | "deadline";

export interface Invocations {
  /** Marks `id` as over. It may come before the extension has seen the invocation's INVOKE event. */
  done(id: string, by: "sdk" | "telemetry"): void;
  /** Resolves when `id` is over, or at `deadline` (ms since the epoch) at the latest. */
  over(id: string, deadline: number): Promise<OverBy>;
}

/** Ids said to be over before anyone waited for them: a few are enough (one invocation at a time). */
const KEEP = 16;

export function createInvocations(): Invocations {
  const early = new Map<string, "sdk" | "telemetry">();
  const waiting = new Map<string, (by: OverBy) => void>();
  return {
    done(id, by) {
      const resolve = waiting.get(id);
      if (resolve) return resolve(by);
      if (early.has(id)) return;
      early.set(id, by);
      if (early.size > KEEP) early.delete(early.keys().next().value!);
    },
    over(id, deadline) {
      const already = early.get(id);
      if (already) {
        early.delete(id);
        return Promise.resolve(already);
      }
      return new Promise((resolve) => {
        const timer = setTimeout(() => finish("deadline"), Math.max(0, deadline - Date.now()));
        const finish = (by: OverBy) => {
          clearTimeout(timer);
          waiting.delete(id);
          resolve(by);
        };
        waiting.set(id, finish);
      });
    },
  };
}
