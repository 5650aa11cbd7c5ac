// The web viewer: one self-contained page (no build step, no CDN) served at `/`. It polls the read API.
// Event data is only ever put into the page as text (textContent), never parsed as HTML.

const style = `
:root { color-scheme: light dark; --muted: #6b7280; --line: #d1d5db55; --inv: #2563eb; --llm: #9333ea; --custom: #64748b; --err: #dc2626; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; }
header { display: flex; gap: 12px; align-items: baseline; padding: 10px 16px; border-bottom: 1px solid var(--line); }
header h1 { font-size: 16px; margin: 0; }
header a { color: inherit; text-decoration: none; }
#live { color: var(--muted); font-size: 12px; margin-left: auto; }
#stats { font-size: 12px; }
main { padding: 12px 16px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
th { font-weight: 600; color: var(--muted); font-size: 12px; }
tr.trace { cursor: pointer; }
tr.trace:hover { background: #88888818; }
td.name { white-space: normal; word-break: break-all; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.status-ok { color: #16a34a; } .status-error { color: var(--err); } .status-cancelled { color: #d97706; }
.muted { color: var(--muted); }
.empty { color: var(--muted); padding: 24px 0; }
code { font: 12px ui-monospace, monospace; }
.summary { margin: 4px 0 14px; color: var(--muted); }
.waterfall { border-top: 1px solid var(--line); }
.span { border-bottom: 1px solid var(--line); }
.span-row { display: grid; grid-template-columns: minmax(220px, 38%) 1fr; gap: 10px; align-items: center; padding: 5px 0; cursor: pointer; }
.span-label { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.kind { display: inline-block; font-size: 11px; padding: 0 5px; border-radius: 3px; color: #fff; margin-right: 6px; }
.kind-invocation { background: var(--inv); } .kind-llm { background: var(--llm); } .kind-custom { background: var(--custom); }
.track { position: relative; height: 18px; }
.bar { position: absolute; top: 3px; height: 12px; border-radius: 2px; min-width: 2px; }
.bar.kind-invocation { background: var(--inv); } .bar.kind-llm { background: var(--llm); } .bar.kind-custom { background: var(--custom); }
.bar.error { background: var(--err); }
.ttft { position: absolute; top: 0; height: 18px; border-left: 2px dashed #f59e0b; }
.bar-label { position: absolute; top: 1px; font-size: 11px; color: var(--muted); white-space: nowrap; }
.llm-details { font-size: 12px; padding: 0 0 5px 0; }
.llm-details span + span::before { content: " · "; color: var(--muted); }
.details { padding: 6px 0 10px; font-size: 12px; }
.details table td { white-space: normal; word-break: break-all; vertical-align: top; }
.details table td:first-child { width: 240px; }
pre { white-space: pre-wrap; word-break: break-word; margin: 4px 0; padding: 8px; background: #88888818; border-radius: 4px; font: 12px/1.4 ui-monospace, monospace; }
h3 { font-size: 13px; margin: 10px 0 2px; }
`;

const script = `
"use strict";
var main = document.getElementById("main");
var live = document.getElementById("live");
var timer = null;
var lastJson = "";
var openSpans = {};

function el(tag, props) {
  var node = document.createElement(tag);
  if (props) for (var k in props) {
    if (k === "text") node.textContent = props[k];
    else if (k === "className") node.className = props[k];
    else if (k === "style") node.setAttribute("style", props[k]);
    else if (k === "onclick") node.onclick = props[k];
    else node.setAttribute(k, props[k]);
  }
  for (var i = 2; i < arguments.length; i++) {
    var c = arguments[i];
    if (c === null || c === undefined || c === false) continue;
    node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return node;
}

function ms(n) {
  if (typeof n !== "number" || !isFinite(n)) return "";
  return n >= 10000 ? (n / 1000).toFixed(1) + "s" : Math.round(n) + "ms";
}

function attr(span, key) { var v = span.attributes && span.attributes[key]; return v === undefined ? undefined : v; }

function llmModel(span) { return attr(span, "gen_ai.response.model") || attr(span, "gen_ai.request.model"); }

function money(usd) { return "$" + (usd >= 0.01 ? usd.toFixed(4) : usd.toPrecision(2)); }

function statusCell(status) { return el("span", { className: "status-" + status, text: status }); }

async function getJson(path) {
  var res = await fetch(path, { cache: "no-store" });
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(path + ": HTTP " + res.status);
  return res.json();
}

function schedule(fn, every) {
  clearTimeout(timer);
  timer = setTimeout(async function tick() {
    try { await fn(); live.textContent = "live · updated " + new Date().toLocaleTimeString(); }
    catch (err) { live.textContent = "collector unreachable: " + err.message; }
    timer = setTimeout(tick, every);
  }, 0);
}

function renderList(traces) {
  if (traces.length === 0) {
    return el("p", { className: "empty" }, "No traces yet. Point your app at LUMIQTRACE_BASE_URL=" + location.origin + " and the API key printed in the terminal.");
  }
  var body = el("tbody");
  traces.forEach(function (t) {
    var row = el("tr", { className: "trace", "data-trace-id": t.traceId, onclick: function () { location.hash = "#/trace/" + encodeURIComponent(t.traceId); } },
      el("td", { className: "muted", text: new Date(t.startTime).toLocaleTimeString() }),
      el("td", { text: t.platform || "" }),
      el("td", { className: "name" }, el("a", { href: "#/trace/" + encodeURIComponent(t.traceId), text: t.name }), t.hasRoot ? null : el("span", { className: "muted", text: " (root span not yet arrived)" })),
      el("td", { className: "num", text: ms(t.durationMs) }),
      el("td", null, statusCell(t.status)),
      el("td", { className: "num", text: String(t.spanCount) }),
      el("td", { className: "num", text: String(t.llmCalls) }),
      el("td", { className: "muted", text: t.userId || "" }));
    body.appendChild(row);
  });
  return el("table", { id: "traces" },
    el("thead", null, el("tr", null, el("th", { text: "time" }), el("th", { text: "platform" }), el("th", { text: "trace" }),
      el("th", { className: "num", text: "duration" }), el("th", { text: "status" }), el("th", { className: "num", text: "spans" }),
      el("th", { className: "num", text: "LLM calls" }), el("th", { text: "user" }))),
    body);
}

async function showList() {
  document.title = "LumiqTrace · traces";
  lastJson = "";
  schedule(async function () {
    var data = await getJson("/v1/traces?limit=100");
    var stats = await getJson("/v1/stats");
    document.getElementById("stats").textContent = stats.traces + " traces · " + stats.events + " events" +
      (stats.duplicates ? " · " + stats.duplicates + " duplicates ignored" : "") +
      (stats.dropped ? " · " + stats.dropped + " dropped by the SDK" : "");
    var json = JSON.stringify(data);
    if (json === lastJson) return;
    lastJson = json;
    main.replaceChildren(renderList(data.traces));
  }, 1000);
}

// Parent before children, siblings by start time; spans whose parent is not here are top-level.
function treeOrder(spans) {
  var byId = {}, children = {}, out = [];
  spans.forEach(function (s) { byId[s.spanId] = s; });
  spans.forEach(function (s) {
    var key = s.parentSpanId && byId[s.parentSpanId] ? s.parentSpanId : "";
    (children[key] = children[key] || []).push(s);
  });
  function walk(key, depth) {
    (children[key] || []).sort(function (a, b) { return a.startTime - b.startTime; }).forEach(function (s) {
      if (out.some(function (o) { return o.span === s; })) return;
      out.push({ span: s, depth: depth });
      walk(s.spanId, depth + 1);
    });
  }
  walk("", 0);
  return out;
}

function messagesText(raw) {
  var parsed;
  try { parsed = JSON.parse(raw); } catch (e) { return String(raw); }
  if (!Array.isArray(parsed)) return JSON.stringify(parsed, null, 2);
  return parsed.map(function (m) {
    if (!m || typeof m !== "object") return JSON.stringify(m);
    var content = m.content;
    if (content === undefined && Array.isArray(m.parts)) {
      content = m.parts.map(function (p) { return p && typeof p.content === "string" ? p.content : JSON.stringify(p); }).join("\\n");
    }
    if (typeof content !== "string") content = JSON.stringify(content === undefined ? m : content, null, 2);
    return (m.role || "?") + ": " + content;
  }).join("\\n\\n");
}

function llmDetails(span) {
  var model = llmModel(span);
  var input = attr(span, "gen_ai.usage.input_tokens");
  var output = attr(span, "gen_ai.usage.output_tokens");
  var ttft = attr(span, "lumiqtrace.ttft_ms");
  var usd = span.costUsd;
  return el("div", { className: "llm-details" },
    el("span", { className: "model", text: [attr(span, "gen_ai.provider.name"), model].filter(Boolean).join(" ") || span.name }),
    (input !== undefined || output !== undefined) ? el("span", { className: "tokens", text: (input === undefined ? "?" : input) + " → " + (output === undefined ? "?" : output) + " tokens" }) : null,
    ttft !== undefined ? el("span", { className: "ttft-text", text: "TTFT " + ms(ttft) }) : null,
    typeof usd === "number" ? el("span", { className: "cost", title: "estimate from list prices", text: money(usd) }) : null,
    attr(span, "gen_ai.response.finish_reasons") !== undefined ? el("span", { text: "finish " + [].concat(attr(span, "gen_ai.response.finish_reasons")).join(",") }) : null);
}

function spanDetails(span) {
  var rows = el("tbody");
  function row(k, v) { rows.appendChild(el("tr", null, el("td", { className: "muted", text: k }), el("td", { text: typeof v === "string" ? v : JSON.stringify(v) }))); }
  row("span id", span.spanId);
  row("parent", span.parentSpanId || "(root)");
  row("duration", ms(span.endTime - span.startTime));
  if (span.error) row("error", span.error.type + ": " + span.error.message + (span.error.status !== undefined ? " (" + span.error.status + ")" : ""));
  ["userId", "sessionId", "environment", "release", "tags", "metadata"].forEach(function (k) { if (span[k] !== undefined) row(k, span[k]); });
  Object.keys(span.attributes || {}).sort().forEach(function (k) {
    if (k !== "gen_ai.input.messages" && k !== "gen_ai.output.messages") row(k, span.attributes[k]);
  });
  var box = el("div", { className: "details" });
  var input = attr(span, "gen_ai.input.messages");
  var output = attr(span, "gen_ai.output.messages");
  if (input !== undefined) box.appendChild(el("div", null, el("h3", { text: "Prompt" }), el("pre", { className: "prompt", text: messagesText(input) })));
  if (output !== undefined) box.appendChild(el("div", null, el("h3", { text: "Completion" }), el("pre", { className: "completion", text: messagesText(output) })));
  box.appendChild(el("table", null, rows));
  return box;
}

function renderTrace(trace) {
  var spans = trace.spans;
  var start = Math.min.apply(null, spans.map(function (s) { return s.startTime; }));
  var end = Math.max.apply(null, spans.map(function (s) { return s.endTime; }));
  var total = Math.max(end - start, 1);
  var ids = {};
  spans.forEach(function (s) { ids[s.spanId] = true; });
  var root = spans.find(function (s) { return s.parentSpanId === null; }) || spans.find(function (s) { return s.kind === "invocation" && !ids[s.parentSpanId]; });
  var head = root || spans[0];
  var llm = spans.filter(function (s) { return s.kind === "llm"; });
  var waterfall = el("div", { className: "waterfall", id: "waterfall" });
  treeOrder(spans).forEach(function (item) {
    var s = item.span;
    var left = (s.startTime - start) / total * 100;
    var width = Math.max((s.endTime - s.startTime) / total * 100, 0.3);
    var track = el("div", { className: "track" },
      el("div", { className: "bar kind-" + s.kind + (s.status === "error" ? " error" : ""), style: "left:" + left + "%;width:" + width + "%" }));
    var ttft = attr(s, "lumiqtrace.ttft_ms");
    if (s.kind === "llm" && typeof ttft === "number") {
      track.appendChild(el("div", { className: "ttft", title: "first token", style: "left:" + Math.min((s.startTime - start + ttft) / total * 100, 100) + "%" }));
    }
    var labelLeft = left + width < 80 ? "left:calc(" + (left + width) + "% + 4px)" : "right:calc(" + (100 - left) + "% + 4px)";
    track.appendChild(el("span", { className: "bar-label", style: labelLeft, text: ms(s.endTime - s.startTime) }));
    var box = el("div", { className: "span span-" + s.kind, "data-span-id": s.spanId });
    var details = openSpans[s.spanId] ? spanDetails(s) : null;
    var rowEl = el("div", { className: "span-row", onclick: function () {
      openSpans[s.spanId] = !openSpans[s.spanId];
      if (openSpans[s.spanId]) box.appendChild(details = spanDetails(s)); else if (details) { details.remove(); details = null; }
    } },
      el("div", { className: "span-label", style: "padding-left:" + item.depth * 16 + "px" },
        el("span", { className: "kind kind-" + s.kind, text: s.kind }), el("span", { className: "span-name", text: s.name }), " ", statusCell(s.status)),
      track);
    box.appendChild(rowEl);
    if (s.kind === "llm") box.appendChild(el("div", { style: "padding-left:" + (item.depth * 16 + 6) + "px" }, llmDetails(s)));
    if (details) box.appendChild(details);
    waterfall.appendChild(box);
  });
  var totalCost = trace.costUsd;
  var platform = attr(head, "lumiqtrace.platform");
  return el("div", null,
    el("p", null, el("a", { href: "#/", text: "← all traces" })),
    el("h2", { id: "trace-title", text: head.name }),
    el("p", { className: "summary" },
      [platform, ms(end - start), spans.length + " spans", llm.length + " LLM calls", typeof totalCost === "number" ? "≈ " + money(totalCost) : null, head.userId ? "user " + head.userId : null]
        .filter(Boolean).join(" · ") + " · ",
      statusCell(head.status), root ? null : el("span", { className: "muted", text: " (root span not yet arrived)" }),
      el("br"), el("code", { text: "trace " + trace.traceId })),
    waterfall);
}

async function showTrace(traceId) {
  document.title = "LumiqTrace · trace " + traceId;
  lastJson = "";
  schedule(async function () {
    var data = await getJson("/v1/traces/" + encodeURIComponent(traceId));
    var json = JSON.stringify(data);
    if (json === lastJson) return;
    lastJson = json;
    if (data === null) {
      main.replaceChildren(el("p", null, el("a", { href: "#/", text: "← all traces" })), el("p", { className: "empty", text: "No trace " + traceId + " (yet)." }));
      return;
    }
    main.replaceChildren(renderTrace(data));
  }, 2000);
}

function route() {
  var m = /^#\\/trace\\/(.+)$/.exec(location.hash);
  if (m) showTrace(decodeURIComponent(m[1])); else showList();
}
window.addEventListener("hashchange", route);
route();
`;

export const viewerHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>LumiqTrace</title>
<style>${style}</style>
</head>
<body>
<header><h1><a href="#/">LumiqTrace</a></h1><span class="muted">local collector</span><span id="stats" class="muted"></span><span id="live">connecting…</span></header>
<main id="main"></main>
<script>${script}</script>
</body>
</html>
`;
