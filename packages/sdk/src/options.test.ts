import { afterEach, describe, expect, it, vi } from "vitest";
import { resetWarnings } from "./logger.js";
import { DEFAULT_BASE_URL, resolveOptions } from "./options.js";

afterEach(() => {
  vi.restoreAllMocks();
  resetWarnings();
});

function quiet() {
  return vi.spyOn(console, "warn").mockImplementation(() => {});
}

describe("resolveOptions", () => {
  it("has documented defaults", () => {
    const o = resolveOptions({ apiKey: "k" }, {});
    expect(o).toMatchObject({
      apiKey: "k",
      baseUrl: DEFAULT_BASE_URL,
      batchSize: 100,
      flushIntervalMs: 1000,
      maxQueueSize: 10_000,
      sampleRate: 1,
      timeoutMs: 5000,
      maxRetries: 10,
      enabled: true,
      debug: false,
      captureContent: false,
    });
  });

  it("fills what is not passed from the environment, and passed options win", () => {
    const env = {
      LUMIQTRACE_API_KEY: "env-key",
      LUMIQTRACE_BASE_URL: "http://127.0.0.1:9999/",
      LUMIQTRACE_ENVIRONMENT: "staging",
      LUMIQTRACE_SAMPLE_RATE: "0.25",
      LUMIQTRACE_DEBUG: "1",
      LUMIQTRACE_CAPTURE_CONTENT: "true",
    };
    expect(resolveOptions({}, env)).toMatchObject({
      apiKey: "env-key",
      baseUrl: "http://127.0.0.1:9999",
      environment: "staging",
      sampleRate: 0.25,
      debug: true,
      captureContent: true,
      enabled: true,
    });
    expect(resolveOptions({ apiKey: "mine", sampleRate: 1, environment: "prod" }, env)).toMatchObject({
      apiKey: "mine",
      sampleRate: 1,
      environment: "prod",
    });
  });

  it("turns tracing off with one warning when there is no key", () => {
    const warn = quiet();
    expect(resolveOptions({}, {}).enabled).toBe(false);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/no API key/);
  });

  it("is off without a warning when LUMIQTRACE_DISABLED is set", () => {
    const warn = quiet();
    expect(resolveOptions({}, { LUMIQTRACE_DISABLED: "1" }).enabled).toBe(false);
    expect(warn).not.toHaveBeenCalled();
  });

  it.each([
    ["batchSize", 0, 100],
    ["batchSize", 2.5, 100],
    ["batchSize", "ten", 100],
    ["sampleRate", 2, 1],
    ["sampleRate", -1, 1],
    ["timeoutMs", Number.NaN, 5000],
    ["maxRetries", 99, 10],
    ["sampleRate", "0.5", 1],
    ["maxQueueSize", -1, 10_000],
  ])("warns and uses the default for %s = %s", (name, value, fallback) => {
    const warn = quiet();
    const o = resolveOptions({ apiKey: "k", [name]: value }, {}) as unknown as Record<string, unknown>;
    expect(o[name]).toBe(fallback);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toContain(name);
  });

  it("trims a key pasted with a newline, saying so once, and refuses one with whitespace inside", () => {
    const warn = quiet();
    expect(resolveOptions({ apiKey: "lqt_abc\n" }, {})).toMatchObject({ apiKey: "lqt_abc", enabled: true });
    expect(resolveOptions({}, { LUMIQTRACE_API_KEY: " lqt_env\r\n" })).toMatchObject({
      apiKey: "lqt_env",
      enabled: true,
    });
    expect(resolveOptions({ apiKey: "lqt_a\nb" }, {})).toMatchObject({ apiKey: "", enabled: false });
    expect(resolveOptions({ apiKey: "   " }, {})).toMatchObject({ enabled: false });
    const lines = warn.mock.calls.map((c) => String(c[0]));
    expect(lines.filter((l) => l.includes("whitespace around it"))).toHaveLength(2);
    expect(
      lines.some((l) => l.includes("whitespace or control characters") && l.includes("tracing is off")),
    ).toBe(true);
    expect(lines.some((l) => l.includes("no API key"))).toBe(true);
    expect(lines.join("\n")).not.toMatch(/lqt_a|lqt_env|lqt_abc/);
  });

  it("takes sampleRate as a string from the environment only", () => {
    const warn = quiet();
    expect(resolveOptions({ apiKey: "k" }, { LUMIQTRACE_SAMPLE_RATE: "0.25" }).sampleRate).toBe(0.25);
    expect(warn).not.toHaveBeenCalled();
    expect(resolveOptions({ apiKey: "k", sampleRate: "0.5" }, {}).sampleRate).toBe(1);
    expect(String(warn.mock.calls[0]![0])).toContain('sampleRate must be a number, not the string "0.5"');
  });

  it("refuses plain http except for loopback, without leaking the key", () => {
    const warn = quiet();
    expect(resolveOptions({ apiKey: "lqt_secret", baseUrl: "http://example.com" }, {}).enabled).toBe(false);
    for (const ok of ["http://localhost:1", "http://127.0.0.1:2", "http://[::1]:3", "https://x.example"]) {
      expect(resolveOptions({ apiKey: "k", baseUrl: ok }, {}).enabled).toBe(true);
    }
    expect(resolveOptions({ apiKey: "k", baseUrl: "not a url" }, {}).enabled).toBe(false);
    expect(warn.mock.calls.flat().join(" ")).not.toContain("lqt_secret");
  });

  it("warns about unknown options and a non-function beforeSend", () => {
    const warn = quiet();
    const o = resolveOptions({ apiKey: "k", batchsize: 5, beforeSend: "nope" } as never, {});
    expect(o.beforeSend).toBeUndefined();
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
      expect.stringContaining('unknown option "batchsize"'),
      expect.stringContaining("beforeSend must be a function"),
    ]);
  });

  it("takes a non-object with a warning", () => {
    const warn = quiet();
    expect(resolveOptions("lqt_key", { LUMIQTRACE_API_KEY: "k" }).apiKey).toBe("k");
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("takes an options object"));
  });
});
