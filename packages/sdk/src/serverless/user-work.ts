import type { WaitUntil } from "./platforms.js";

/** How long the flush waits for the user's own `waitUntil` work: under the ~30 s Workers allow after a response. */
export const USER_WORK_TIMEOUT_MS = 25_000;

export interface TrackedWaitUntil {
  /** The platform's own `waitUntil`, bound to its object. */
  waitUntil: WaitUntil;
  /** Settles once the work the user handed to `waitUntil` since tracking began has settled (bounded). */
  settled(): Promise<void>;
}

/**
 * Starts counting what the user's code hands to `holder.waitUntil` (Workers' `ctx`, Netlify's
 * `context`, Vercel's request context), so a flush can run after that work too: spans recorded there
 * would otherwise be lost. Undefined when `holder` has no `waitUntil`. The holder is put back as it was
 * once `settled()` has settled; a frozen holder is used as it is (its work is then not waited for).
 */
export function trackWaitUntil(holder: unknown): TrackedWaitUntil | undefined {
  const ctx = holder as { waitUntil?: unknown } | null | undefined;
  let original: WaitUntil;
  let own: PropertyDescriptor | undefined;
  try {
    if (typeof ctx?.waitUntil !== "function") return undefined;
    original = ctx.waitUntil.bind(ctx) as WaitUntil;
    own = Object.getOwnPropertyDescriptor(ctx, "waitUntil");
  } catch {
    return undefined;
  }
  const pending = new Set<Promise<unknown>>();
  const tracking: WaitUntil = (promise) => {
    const settled: Promise<unknown> = Promise.resolve(promise).then(
      () => pending.delete(settled),
      () => pending.delete(settled),
    );
    pending.add(settled);
    original(promise);
  };
  try {
    ctx!.waitUntil = tracking;
  } catch {
    // frozen: its waitUntil still works, only the user's work is not waited for
  }
  const restore = () => {
    try {
      if (ctx!.waitUntil !== tracking) return;
      if (own) Object.defineProperty(ctx, "waitUntil", own);
      else delete ctx!.waitUntil;
    } catch {
      // frozen after all: harmless, the wrapper only counts
    }
  };
  const settled = async (): Promise<void> => {
    const deadline = Date.now() + USER_WORK_TIMEOUT_MS;
    // Work registered while we wait (waitUntil inside waitUntil) is waited for too.
    while (pending.size > 0 && Date.now() < deadline) {
      await settledWithin(Promise.allSettled([...pending]), deadline - Date.now());
    }
    restore();
  };
  return { waitUntil: original, settled };
}

function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    (timer as { unref?: () => void }).unref?.(); // the bound of the wait, never a reason to stay alive
    void promise.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
