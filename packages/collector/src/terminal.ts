import type { SpanEvent } from "@lumiqtrace/protocol";

/** A root span is what ends an invocation: print its trace when it arrives. */
export function isRootSpan(e: SpanEvent): boolean {
  return e.kind === "invocation" || e.parentSpanId === null;
}

function ms(n: number): string {
  return n >= 10_000 ? `${(n / 1000).toFixed(1)}s` : `${Math.round(n)}ms`;
}

function attr(e: SpanEvent, key: string): string | number | undefined {
  const v = e.attributes[key];
  return typeof v === "string" || typeof v === "number" ? v : undefined;
}

function statusText(e: SpanEvent): string {
  if (e.status !== "error") return e.status;
  if (!e.error) return "error";
  const code = e.error.status !== undefined ? ` ${e.error.status}` : "";
  const message = e.error.message.length > 80 ? `${e.error.message.slice(0, 77)}...` : e.error.message;
  return `error${code} ${e.error.type}: ${message}`.replace(/\s+/g, " ");
}

function llmPart(e: SpanEvent): string {
  const provider = attr(e, "gen_ai.provider.name");
  const model = attr(e, "gen_ai.response.model") ?? attr(e, "gen_ai.request.model") ?? e.name;
  const ttft = attr(e, "lumiqtrace.ttft_ms");
  const input = attr(e, "gen_ai.usage.input_tokens");
  const output = attr(e, "gen_ai.usage.output_tokens");
  const parts = [provider, model].filter((p) => p !== undefined).join(" ");
  const ttftText = typeof ttft === "number" ? ` ttft ${ms(ttft)}` : "";
  const tokens = input !== undefined || output !== undefined ? ` ${input ?? "?"}→${output ?? "?"} tok` : "";
  return `${parts}${ttftText}${tokens} ${statusText(e)}`;
}

/**
 * One line per trace, e.g.
 * `vercel  POST /api/chat  412ms  ok  · openai gpt-4o-mini ttft 120ms 52→18 tok ok`
 */
export function formatTraceLine(root: SpanEvent, spans: SpanEvent[]): string {
  const platform = attr(root, "lumiqtrace.platform") ?? root.kind;
  const route = attr(root, "http.route");
  const method = attr(root, "http.request.method");
  const where = route !== undefined && method !== undefined ? `${method} ${route}` : root.name;
  const llm = spans
    .filter((s) => s.kind === "llm" && s.traceId === root.traceId)
    .sort((a, b) => a.startTime - b.startTime)
    .map((s) => `  · ${llmPart(s)}`)
    .join("");
  return `${platform}  ${where}  ${ms(root.endTime - root.startTime)}  ${statusText(root)}${llm}`;
}
