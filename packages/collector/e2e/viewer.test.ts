// biome-ignore-all lint/performance/useDomNodeTextContent: Playwright's locator.innerText() is the rendered text a user sees, not the DOM property
// The viewer in a real browser: Debian's headless Chromium driven by playwright-core.
import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Collector, startCollector } from "../src/server.js";
import { hex, makeBatch, makeEvent, makeTrace, postBatch } from "../src/test-events.js";

const CHROMIUM = "/usr/bin/chromium";
let browser: Browser;
let c: Collector;
let page: Page;
let pageErrors: Error[];
let cspViolations: string[];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run .ci/setup.d/collector.sh`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  c = await startCollector({ port: 0 });
  page = await browser.newPage();
  pageErrors = [];
  page.on("pageerror", (err) => pageErrors.push(err));
  // Chromium reports what the page's Content-Security-Policy blocked on the console
  cspViolations = [];
  page.on("console", (msg) => {
    if (/Content Security Policy/i.test(msg.text())) cspViolations.push(msg.text());
  });
});
afterEach(async () => {
  await page.close();
  expect(pageErrors).toEqual([]);
  expect(cspViolations).toEqual([]);
  await c.close();
});

describe("viewer", () => {
  it("lists a trace as it arrives, and shows its waterfall with the LLM call's details", async () => {
    await page.goto(c.url);
    await page.getByText("No traces yet").waitFor({ timeout: 10_000 });

    const { root, llm } = makeTrace();
    llm.attributes["gen_ai.input.messages"] = JSON.stringify([{ role: "user", content: "Say hi in French" }]);
    llm.attributes["gen_ai.output.messages"] = JSON.stringify([{ role: "assistant", content: "Bonjour !" }]);
    const custom = makeEvent({
      traceId: root.traceId,
      parentSpanId: root.spanId,
      kind: "custom",
      name: "load history",
      startTime: root.startTime + 1,
      endTime: root.startTime + 9,
    });
    expect((await postBatch(c.url, c.apiKey, makeBatch([llm, custom, root], { dropped: 4 }))).status).toBe(
      200,
    );

    // live: the list picks it up without a reload
    const row = page.locator(`tr[data-trace-id="${root.traceId}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await row.innerText()).toMatch(/vercel\s+POST \/api\/chat\s+412ms\s+ok\s+3\s+1/);
    await page.getByText("1 traces · 3 events · 4 dropped by the SDK").waitFor({ timeout: 10_000 });

    await row.click();
    await page.waitForURL(`**/#/trace/${root.traceId}`);
    const llmRow = page.locator(`[data-span-id="${llm.spanId}"]`);
    await llmRow.waitFor({ timeout: 10_000 });
    expect(await page.locator("#trace-title").innerText()).toBe("POST /api/chat");
    const details = await llmRow.locator(".llm-details").innerText();
    expect(details).toContain("openai gpt-4o-mini-2024-07-18");
    expect(details).toContain("52 → 18 tokens");
    expect(details).toContain("TTFT 120ms");
    // 52 × $0.15/M + 18 × $0.60/M
    expect(details).toContain("$0.000019");
    // and the trace's total, as the read API adds it up
    expect(await page.locator(".summary").innerText()).toContain("≈ $0.000019");
    // parent first, then children by start time
    expect(await page.locator("#waterfall .span-name").allInnerTexts()).toEqual([
      "POST /api/chat",
      "load history",
      "chat gpt-4o-mini",
    ]);

    // clicking the span opens its prompt and completion
    await llmRow.locator(".span-row").click();
    expect(await llmRow.locator("pre.prompt").innerText()).toBe("user: Say hi in French");
    expect(await llmRow.locator("pre.completion").innerText()).toBe("assistant: Bonjour !");

    await page.getByText("← all traces").click();
    await row.waitFor({ timeout: 10_000 });
  });

  it("shows event data as text, never as HTML", async () => {
    const traceId = hex(16);
    const evil = '<img src=x onerror="window.__pwned=1">';
    const root = makeEvent({
      traceId,
      name: evil,
      userId: "<b>bold</b>",
      attributes: { "lumiqtrace.platform": "<script>window.__pwned=2</script>", note: evil },
    });
    const llm = makeEvent({
      traceId,
      parentSpanId: root.spanId,
      kind: "llm",
      name: "chat",
      attributes: {
        "gen_ai.request.model": evil,
        "gen_ai.input.messages": JSON.stringify([{ role: "user", content: evil }]),
      },
    });
    await postBatch(c.url, c.apiKey, makeBatch([llm, root]));
    await page.goto(c.url);
    const row = page.locator(`tr[data-trace-id="${traceId}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await row.innerText()).toContain(evil);
    await row.click();
    const llmRow = page.locator(`[data-span-id="${llm.spanId}"]`);
    await llmRow.waitFor({ timeout: 10_000 });
    await llmRow.locator(".span-row").click();
    expect(await llmRow.locator("pre.prompt").innerText()).toBe(`user: ${evil}`);
    expect(await page.locator("#trace-title").innerText()).toBe(evil);
    expect(await page.locator("img").count()).toBe(0);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  it("opens a trace directly by its address, and says so when it is unknown", async () => {
    const { root, llm } = makeTrace();
    await postBatch(c.url, c.apiKey, makeBatch([llm]));
    await page.goto(`${c.url}/#/trace/${root.traceId}`);
    await page.getByText("root span not yet arrived").waitFor({ timeout: 10_000 });
    // the root arrives later: the open page picks it up
    await postBatch(c.url, c.apiKey, makeBatch([root]));
    await page.locator(`[data-span-id="${root.spanId}"]`).waitFor({ timeout: 10_000 });
    expect(await page.getByText("root span not yet arrived").count()).toBe(0);

    await page.goto(`${c.url}/#/trace/${hex(16)}`);
    await page.getByText(/No trace [0-9a-f]{32} \(yet\)/).waitFor({ timeout: 10_000 });
  });

  it("runs under a CSP with no inline script or style, and no site can frame it", async () => {
    const res = await fetch(c.url);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    const script = await fetch(`${c.url}/viewer.js`);
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(await script.text()).toContain("document.getElementById");

    // the bars are placed through the CSSOM, which the CSP allows (style attributes it would block)
    const { root, llm } = makeTrace();
    await postBatch(c.url, c.apiKey, makeBatch([llm, root]));
    await page.goto(`${c.url}/#/trace/${root.traceId}`);
    const bar = page.locator(`[data-span-id="${llm.spanId}"] .bar`);
    await bar.waitFor({ timeout: 10_000 });
    expect(await bar.evaluate((node) => getComputedStyle(node).position)).toBe("absolute"); // viewer.css
    expect(await bar.evaluate((node) => (node as HTMLElement).style.left)).toMatch(/^2\.\d+%$/);

    // framed by a page of another origin (localhost is not 127.0.0.1), the browser refuses to show it
    await page.goto(`http://localhost:${c.port}/healthz`);
    await page.setContent(`<iframe src="${c.url}/"></iframe>`);
    const frame = page.frames().find((f) => f !== page.mainFrame())!;
    await frame.waitForLoadState("load").catch(() => {});
    expect(await frame.locator("#main").count()).toBe(0);
    expect(cspViolations).toEqual([expect.stringContaining("frame-ancestors 'none'")]);
    cspViolations = []; // the one violation this test caused on purpose
  });
});
