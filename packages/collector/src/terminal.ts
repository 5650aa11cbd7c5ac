import type { SpanEvent } from "@lumiqtrace/protocol";
import { traceHead } from "./trace.js";

/** Characters that move the cursor, start escape sequences or reorder text in a terminal. */
function isUnsafe(code: number): boolean {
  return (
    code < 0x20 || // C0, ESC included: no escape sequence can start
    (code >= 0x7f && code <= 0x9f) || // DEL and C1 (0x9b is CSI on its own)
    code === 0x061c || // Arabic letter mark
    code === 0x200e ||
    code === 0x200f || // LRM, RLM
    (code >= 0x202a && code <= 0x202e) || // bidi embeddings and overrides
    (code >= 0x2066 && code <= 0x2069) // bidi isolates
  );
}

/**
 * `text` as one inert terminal line: tabs, line breaks and line separators become spaces, and every other
 * control, escape or bidi character is shown as an escape (`\x1b`, `\u202e`), so what a client sends
 * (span names, models, error messages) cannot set the window title, clear the screen or rewrite lines.
 */
export function printable(text: string): string {
  let out = "";
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code === 0x09 || code === 0x0a || code === 0x0d || code === 0x2028 || code === 0x2029) out += " ";
    else if (!isUnsafe(code)) out += ch;
    else if (code < 0x100) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += `\\u${code.toString(16).padStart(4, "0")}`;
  }
  return out;
}

/** Writes `text` and a newline to a terminal, each of its lines made printable. */
export function writeLines(stream: { write(chunk: string): unknown }, text: string): void {
  stream.write(`${text.split("\n").map(printable).join("\n")}\n`);
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
 * `vercel  POST /api/chat  412ms  ok  · openai gpt-4o-mini ttft 120ms 52→18 tok ok`:
 * named after its root (or, without one, its earliest top-most span), then every LLM call by start time.
 */
export function formatTraceLine(spans: SpanEvent[]): string {
  const sorted = [...spans].sort((a, b) => a.startTime - b.startTime);
  const head = traceHead(sorted);
  // as the viewer's list: from the earliest start to the latest end
  const duration = sorted.reduce((max, s) => Math.max(max, s.endTime), 0) - sorted[0]!.startTime;
  const platform = attr(head, "lumiqtrace.platform") ?? head.kind;
  const route = attr(head, "http.route");
  const method = attr(head, "http.request.method");
  const where = route !== undefined && method !== undefined ? `${method} ${route}` : head.name;
  const llm = sorted
    .filter((s) => s.kind === "llm")
    .map((s) => `  · ${llmPart(s)}`)
    .join("");
  return `${platform}  ${where}  ${ms(duration)}  ${statusText(head)}${llm}`;
}
