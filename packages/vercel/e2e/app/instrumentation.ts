// Test double of Vercel's runtime, installed only when e2e/next.test.ts starts the app with
// LUMIQTRACE_E2E_FAKE_VERCEL=1: it puts a request context on globalThis exactly where Vercel does (what
// `@vercel/functions` reads), in each runtime (Node, and the Edge sandbox), and logs what it is handed.
export function register() {
  if (process.env.LUMIQTRACE_E2E_FAKE_VERCEL !== "1") return;
  const runtime = process.env.NEXT_RUNTIME ?? "unknown";
  let handed = 0;
  (globalThis as Record<symbol, unknown>)[Symbol.for("@vercel/request-context")] = {
    get: () => ({
      waitUntil(promise: Promise<unknown>) {
        const n = ++handed;
        console.log(`[fakeVercelWaitUntil] ${runtime} #${n} handed`);
        promise.then(() => console.log(`[fakeVercelWaitUntil] ${runtime} #${n} settled`));
      },
    }),
  };
}
