// The user's own code in one request: 10,000 awaits (an async step per item, as code that parses,
// validates and maps a long list does). It times itself, inside whatever context the tool made active,
// and checks that context is still the active one after the awaits (so the tool really propagated it).
export const AWAITS = 10_000;
export const lastRun = { ms: 0, context: undefined, contextKept: false };

async function step(i) {
  return i & 7;
}

/** A Lambda handler's body: `activeContext()` says which trace or span the tool has active, if any. */
export async function promiseHeavy(activeContext) {
  const before = activeContext();
  const t = performance.now();
  let sum = 0;
  for (let i = 0; i < AWAITS; i++) sum += await step(i);
  lastRun.ms = performance.now() - t;
  lastRun.context = before;
  lastRun.contextKept = activeContext() === before;
  return { statusCode: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ sum }) };
}
