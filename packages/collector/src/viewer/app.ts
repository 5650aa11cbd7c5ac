// The viewer in the browser: the trace list and a trace's waterfall, polled from the read API. It shows
// what the API gives (costs included) and puts event data into the page as text only.
import type { SpanWithCost, Stats, TraceDetail, TraceSummary } from "../api.js";
import { el } from "./dom.js";
import { messagesText, money, ms, treeOrder } from "./format.js";

const main = document.getElementById("main")!;
const live = document.getElementById("live")!;
let timer: ReturnType<typeof setTimeout> | undefined;
let lastJson = "";
const openSpans: Record<string, boolean> = {};

function attr(span: SpanWithCost, key: string) {
  return span.attributes?.[key];
}

function llmModel(span: SpanWithCost) {
  return attr(span, "gen_ai.response.model") || attr(span, "gen_ai.request.model");
}

function statusCell(status: string) {
  return el("span", { className: `status-${status}`, text: status });
}

async function getJson<T>(path: string): Promise<T | null> {
  const res = await fetch(path, { cache: "no-store" });
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

function schedule(refresh: () => Promise<void>, everyMs: number) {
  clearTimeout(timer);
  const tick = async () => {
    try {
      await refresh();
      live.textContent = `live · updated ${new Date().toLocaleTimeString()}`;
    } catch (err) {
      live.textContent = `collector unreachable: ${(err as Error).message}`;
    }
    timer = setTimeout(tick, everyMs);
  };
  timer = setTimeout(tick, 0);
}

function traceHref(traceId: string) {
  return `#/trace/${encodeURIComponent(traceId)}`;
}

function renderList(traces: TraceSummary[]) {
  if (traces.length === 0) {
    return el(
      "p",
      { className: "empty" },
      `No traces yet. Point your app at LUMIQTRACE_BASE_URL=${location.origin} and the API key printed in the terminal.`,
    );
  }
  const body = el("tbody");
  for (const t of traces) {
    body.appendChild(
      el(
        "tr",
        {
          className: "trace",
          "data-trace-id": t.traceId,
          onclick: () => {
            location.hash = traceHref(t.traceId);
          },
        },
        el("td", { className: "muted", text: new Date(t.startTime).toLocaleTimeString() }),
        el("td", { text: t.platform ?? "" }),
        el(
          "td",
          { className: "name" },
          el("a", { href: traceHref(t.traceId), text: t.name }),
          t.hasRoot ? null : el("span", { className: "muted", text: " (root span not yet arrived)" }),
        ),
        el("td", { className: "num", text: ms(t.durationMs) }),
        el("td", null, statusCell(t.status)),
        el("td", { className: "num", text: String(t.spanCount) }),
        el("td", { className: "num", text: String(t.llmCalls) }),
        el("td", { className: "muted", text: t.userId ?? "" }),
      ),
    );
  }
  const headings = ["time", "platform", "trace", "duration", "status", "spans", "LLM calls", "user"];
  const numeric = new Set(["duration", "spans", "LLM calls"]);
  return el(
    "table",
    { id: "traces" },
    el(
      "thead",
      null,
      el(
        "tr",
        null,
        ...headings.map((h) => el("th", { className: numeric.has(h) ? "num" : undefined, text: h })),
      ),
    ),
    body,
  );
}

function showList() {
  document.title = "LumiqTrace · traces";
  lastJson = "";
  schedule(async () => {
    const data = await getJson<{ traces: TraceSummary[] }>("/v1/traces?limit=100");
    const stats = await getJson<Stats>("/v1/stats");
    if (!data || !stats) throw new Error("the read API is missing");
    document.getElementById("stats")!.textContent =
      `${stats.traces} traces · ${stats.events} events` +
      (stats.duplicates ? ` · ${stats.duplicates} duplicates ignored` : "") +
      (stats.dropped ? ` · ${stats.dropped} dropped by the SDK` : "");
    const json = JSON.stringify(data);
    if (json === lastJson) return;
    lastJson = json;
    main.replaceChildren(renderList(data.traces));
  }, 1000);
}

function llmDetails(span: SpanWithCost) {
  const model = llmModel(span);
  const input = attr(span, "gen_ai.usage.input_tokens");
  const output = attr(span, "gen_ai.usage.output_tokens");
  const ttft = attr(span, "lumiqtrace.ttft_ms");
  const finish = attr(span, "gen_ai.response.finish_reasons");
  const name = [attr(span, "gen_ai.provider.name"), model].filter(Boolean).join(" ") || span.name;
  return el(
    "div",
    { className: "llm-details" },
    el("span", { className: "model", text: name }),
    input !== undefined || output !== undefined
      ? el("span", { className: "tokens", text: `${input ?? "?"} → ${output ?? "?"} tokens` })
      : null,
    ttft !== undefined ? el("span", { className: "ttft-text", text: `TTFT ${ms(ttft)}` }) : null,
    typeof span.costUsd === "number"
      ? el("span", { className: "cost", title: "estimate from list prices", text: money(span.costUsd) })
      : null,
    finish !== undefined
      ? el("span", { text: `finish ${([] as unknown[]).concat(finish).join(",")}` })
      : null,
  );
}

function spanDetails(span: SpanWithCost) {
  const rows = el("tbody");
  const row = (key: string, value: unknown) =>
    rows.appendChild(
      el(
        "tr",
        null,
        el("td", { className: "muted", text: key }),
        el("td", { text: typeof value === "string" ? value : JSON.stringify(value) }),
      ),
    );
  row("span id", span.spanId);
  row("parent", span.parentSpanId || "(root)");
  row("duration", ms(span.endTime - span.startTime));
  if (span.error) {
    const status = span.error.status !== undefined ? ` (${span.error.status})` : "";
    row("error", `${span.error.type}: ${span.error.message}${status}`);
  }
  for (const key of ["userId", "sessionId", "environment", "release", "tags", "metadata"] as const) {
    if (span[key] !== undefined) row(key, span[key]);
  }
  for (const key of Object.keys(span.attributes ?? {}).sort()) {
    if (key !== "gen_ai.input.messages" && key !== "gen_ai.output.messages") row(key, span.attributes[key]);
  }
  const box = el("div", { className: "details" });
  const input = attr(span, "gen_ai.input.messages");
  const output = attr(span, "gen_ai.output.messages");
  if (input !== undefined) {
    box.appendChild(
      el(
        "div",
        null,
        el("h3", { text: "Prompt" }),
        el("pre", { className: "prompt", text: messagesText(input) }),
      ),
    );
  }
  if (output !== undefined) {
    box.appendChild(
      el(
        "div",
        null,
        el("h3", { text: "Completion" }),
        el("pre", { className: "completion", text: messagesText(output) }),
      ),
    );
  }
  box.appendChild(el("table", null, rows));
  return box;
}

function spanBox(s: SpanWithCost, depth: number, start: number, total: number) {
  const left = ((s.startTime - start) / total) * 100;
  const width = Math.max(((s.endTime - s.startTime) / total) * 100, 0.3);
  const track = el(
    "div",
    { className: "track" },
    el("div", {
      className: `bar kind-${s.kind}${s.status === "error" ? " error" : ""}`,
      style: `left:${left}%;width:${width}%`,
    }),
  );
  const ttft = attr(s, "lumiqtrace.ttft_ms");
  if (s.kind === "llm" && typeof ttft === "number") {
    const at = Math.min(((s.startTime - start + ttft) / total) * 100, 100);
    track.appendChild(el("div", { className: "ttft", title: "first token", style: `left:${at}%` }));
  }
  const labelAt =
    left + width < 80 ? `left:calc(${left + width}% + 4px)` : `right:calc(${100 - left}% + 4px)`;
  track.appendChild(
    el("span", { className: "bar-label", style: labelAt, text: ms(s.endTime - s.startTime) }),
  );
  const box = el("div", { className: `span span-${s.kind}`, "data-span-id": s.spanId });
  let details = openSpans[s.spanId] ? spanDetails(s) : null;
  const toggle = () => {
    openSpans[s.spanId] = !openSpans[s.spanId];
    if (openSpans[s.spanId]) box.appendChild((details = spanDetails(s)));
    else if (details) {
      details.remove();
      details = null;
    }
  };
  box.appendChild(
    el(
      "div",
      { className: "span-row", onclick: toggle },
      el(
        "div",
        { className: "span-label", style: `padding-left:${depth * 16}px` },
        el("span", { className: `kind kind-${s.kind}`, text: s.kind }),
        el("span", { className: "span-name", text: s.name }),
        " ",
        statusCell(s.status),
      ),
      track,
    ),
  );
  if (s.kind === "llm")
    box.appendChild(el("div", { style: `padding-left:${depth * 16 + 6}px` }, llmDetails(s)));
  if (details) box.appendChild(details);
  return box;
}

function renderTrace(trace: TraceDetail) {
  const total = Math.max(trace.durationMs, 1);
  const waterfall = el("div", { className: "waterfall", id: "waterfall" });
  for (const { span, depth } of treeOrder(trace.spans)) {
    waterfall.appendChild(spanBox(span, depth, trace.startTime, total));
  }
  const facts = [
    trace.platform,
    ms(trace.durationMs),
    `${trace.spanCount} spans`,
    `${trace.llmCalls} LLM calls`,
    trace.costUsd !== null ? `≈ ${money(trace.costUsd)}` : null,
    trace.userId ? `user ${trace.userId}` : null,
  ];
  return el(
    "div",
    null,
    el("p", null, el("a", { href: "#/", text: "← all traces" })),
    el("h2", { id: "trace-title", text: trace.name }),
    el(
      "p",
      { className: "summary" },
      `${facts.filter(Boolean).join(" · ")} · `,
      statusCell(trace.status),
      trace.hasRoot ? null : el("span", { className: "muted", text: " (root span not yet arrived)" }),
      el("br"),
      el("code", { text: `trace ${trace.traceId}` }),
    ),
    waterfall,
  );
}

function showTrace(traceId: string) {
  document.title = `LumiqTrace · trace ${traceId}`;
  lastJson = "";
  schedule(async () => {
    const data = await getJson<TraceDetail>(`/v1/traces/${encodeURIComponent(traceId)}`);
    const json = JSON.stringify(data);
    if (json === lastJson) return;
    lastJson = json;
    if (data === null) {
      main.replaceChildren(
        el("p", null, el("a", { href: "#/", text: "← all traces" })),
        el("p", { className: "empty", text: `No trace ${traceId} (yet).` }),
      );
      return;
    }
    main.replaceChildren(renderTrace(data));
  }, 2000);
}

function route() {
  const m = /^#\/trace\/(.+)$/.exec(location.hash);
  if (!m) return showList();
  let traceId = m[1]!;
  try {
    traceId = decodeURIComponent(traceId);
  } catch {
    // a hand-typed address with a stray %: look it up as typed
  }
  showTrace(traceId);
}

window.addEventListener("hashchange", route);
route();
