// Text the viewer shows, from what the read API gives: durations, money, messages, the span tree.
import type { SpanWithCost } from "../api.js";

export function ms(n: unknown): string {
  if (typeof n !== "number" || !Number.isFinite(n)) return "";
  return n >= 10_000 ? `${(n / 1000).toFixed(1)}s` : `${Math.round(n)}ms`;
}

export function money(usd: number): string {
  return `$${usd >= 0.01 ? usd.toFixed(4) : usd.toPrecision(2)}`;
}

/** `gen_ai.input.messages` / `gen_ai.output.messages` (JSON text) as `role: content` blocks. */
export function messagesText(raw: unknown): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(raw));
  } catch {
    return String(raw);
  }
  if (!Array.isArray(parsed)) return JSON.stringify(parsed, null, 2);
  return parsed
    .map((m: unknown) => {
      if (!m || typeof m !== "object") return JSON.stringify(m);
      const message = m as { role?: unknown; content?: unknown; parts?: unknown };
      let content = message.content;
      if (content === undefined && Array.isArray(message.parts)) {
        content = message.parts
          .map((p: unknown) =>
            p && typeof (p as { content?: unknown }).content === "string"
              ? (p as { content: string }).content
              : JSON.stringify(p),
          )
          .join("\n");
      }
      if (typeof content !== "string") content = JSON.stringify(content === undefined ? m : content, null, 2);
      return `${typeof message.role === "string" && message.role ? message.role : "?"}: ${content}`;
    })
    .join("\n\n");
}

/**
 * Parent before children, siblings by start time; spans whose parent is not here are top-level, and spans
 * caught in a parent cycle come last, top-level, so every span is shown once.
 */
export function treeOrder(spans: SpanWithCost[]): Array<{ span: SpanWithCost; depth: number }> {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, SpanWithCost[]>();
  for (const s of spans) {
    const key = s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : "";
    const list = children.get(key);
    if (list) list.push(s);
    else children.set(key, [s]);
  }
  const byStart = (list: SpanWithCost[] = []) => [...list].sort((a, b) => a.startTime - b.startTime);
  const out: Array<{ span: SpanWithCost; depth: number }> = [];
  const placed = new Set<SpanWithCost>();
  // a stack, not recursion: a chain of spans may be deeper than the call stack
  const stack = byStart(children.get(""))
    .reverse()
    .map((span) => ({ span, depth: 0 }));
  while (stack.length > 0) {
    const { span, depth } = stack.pop()!;
    if (placed.has(span)) continue;
    placed.add(span);
    out.push({ span, depth });
    const kids = byStart(children.get(span.spanId));
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ span: kids[i]!, depth: depth + 1 });
  }
  for (const span of spans) if (!placed.has(span)) out.push({ span, depth: 0 });
  return out;
}
