// The viewer's page, its stylesheet and its script (src/viewer/app.ts, bundled at build time), each served
// at its own address so the page's Content-Security-Policy allows only scripts and styles from the
// collector itself, and no site can frame it.
import viewerScript from "virtual:lumiqtrace-viewer-script";
import type { ServerResponse } from "node:http";
import type { Access, Route } from "../router.js";

export const VIEWER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const css = `
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

const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>LumiqTrace</title>
<link rel="stylesheet" href="/viewer.css">
<script src="/viewer.js" defer></script>
</head>
<body>
<header><h1><a href="#/">LumiqTrace</a></h1><span class="muted">local collector</span><span id="stats" class="muted"></span><span id="live">connecting…</span></header>
<main id="main"></main>
</body>
</html>
`;

function send(res: ServerResponse, type: string, body: string, headers: Record<string, string> = {}) {
  res.writeHead(200, {
    "content-type": `${type}; charset=utf-8`,
    "content-length": String(Buffer.byteLength(body)),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    ...headers,
  });
  res.end(body);
}

function sendPage(res: ServerResponse) {
  send(res, "text/html", html, {
    "content-security-policy": VIEWER_CSP,
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
  });
}

const get = (access: Access, handle: (res: ServerResponse) => void) => ({
  GET: { access, handle: (_req: unknown, res: ServerResponse) => handle(res) },
});

export function viewerRoutes(): Route[] {
  return [
    { path: "/", methods: get("private", sendPage) },
    { path: "/index.html", methods: get("private", sendPage) },
    { path: "/viewer.js", methods: get("private", (res) => send(res, "text/javascript", viewerScript)) },
    { path: "/viewer.css", methods: get("private", (res) => send(res, "text/css", css)) },
  ];
}
