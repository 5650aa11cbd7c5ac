import { activeState, runWithState } from "./context.js";
import { warn } from "./logger.js";
import { toJsonSafe, truncate } from "./serialize.js";
import { newTrace } from "./span.js";
import type { UserContext } from "./types.js";

function id(name: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return truncate(value, 256);
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  warn(`${name} must be a string; ignoring it`);
  return undefined;
}

/** The user context made safe to send, merged over the one already active. */
export function mergeUserContext(base: UserContext, input: unknown): UserContext {
  if (input === undefined || input === null) return base;
  if (typeof input !== "object") {
    warn("withLumiqtraceContext takes an object ({ userId, sessionId, tags, metadata }); ignoring it");
    return base;
  }
  const c = input as Record<string, unknown>;
  const out: UserContext = { ...base };
  const userId = id("userId", c.userId);
  if (userId !== undefined) out.userId = userId;
  const sessionId = id("sessionId", c.sessionId);
  if (sessionId !== undefined) out.sessionId = sessionId;
  if (c.tags !== undefined) {
    if (Array.isArray(c.tags)) {
      const tags = c.tags.filter((t): t is string => typeof t === "string").map((t) => truncate(t, 200));
      out.tags = [...new Set([...(base.tags ?? []), ...tags])];
    } else warn("tags must be an array of strings; ignoring them");
  }
  if (c.metadata !== undefined) {
    if (c.metadata && typeof c.metadata === "object" && !Array.isArray(c.metadata)) {
      out.metadata = { ...base.metadata, ...(toJsonSafe(c.metadata) as Record<string, unknown>) };
    } else warn("metadata must be an object; ignoring it");
  }
  return out;
}

/**
 * Runs `fn` with this user, session, tags and metadata on every span recorded inside it (merged over the
 * active context). Outside any trace it starts one. Returns what `fn` returns.
 */
export function withLumiqtraceContext<R>(context: UserContext, fn: () => R): R {
  if (typeof fn !== "function") {
    warn("withLumiqtraceContext needs a function to run; nothing was run");
    return undefined as R;
  }
  let state: Parameters<typeof runWithState>[0];
  try {
    const base = activeState() ?? newTrace();
    state = { ...base, user: mergeUserContext(base.user, context) };
  } catch {
    return fn();
  }
  return runWithState(state, fn);
}
