import { describe, expect, it } from "vitest";
import { bannerLines } from "./banner.js";

const facts = {
  host: "127.0.0.1",
  port: 4477,
  url: "http://127.0.0.1:4477",
  apiKey: "lqt_dev_abc+/=",
  keySource: "generated" as const,
  dbPath: "/tmp/t.sqlite",
};

describe("banner", () => {
  it("on loopback gives the URL, the viewer, the key and the lines to paste", () => {
    expect(bannerLines(facts)).toEqual([
      "LumiqTrace collector listening on http://127.0.0.1:4477",
      "  viewer:   http://127.0.0.1:4477/",
      "  otlp:     http://127.0.0.1:4477/v1/traces (OTLP/HTTP, protobuf or JSON, no key on loopback)",
      "  api key:  lqt_dev_abc+/=",
      "  database: /tmp/t.sqlite",
      "Point your app at it (paste into its environment):",
      "  LUMIQTRACE_BASE_URL=http://127.0.0.1:4477",
      "  LUMIQTRACE_API_KEY=lqt_dev_abc+/=",
      "  (or, from any OpenTelemetry SDK: OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4477)",
      "Waiting for traces (Ctrl-C to stop)...",
    ]);
  });

  it("names the OTLP port when it listens, and why not when it was taken", () => {
    const lines = bannerLines({ ...facts, otlpUrl: "http://127.0.0.1:4318", otlpProblem: undefined });
    expect(lines).toContain(
      "  otlp:     http://127.0.0.1:4318/v1/traces and http://127.0.0.1:4477/v1/traces (OTLP/HTTP, protobuf or JSON, no key on loopback)",
    );
    expect(lines).toContain(
      "  (or, from any OpenTelemetry SDK: OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318)",
    );
    const taken = bannerLines({
      ...facts,
      otlpProblem: "port 4318 is in use, so OTLP is taken on the main port only (/v1/traces)",
    });
    expect(taken).toContain(
      "            port 4318 is in use, so OTLP is taken on the main port only (/v1/traces)",
    );
  });

  it("on every interface says so, warns, and gives the viewer URL that signs in with the key", () => {
    const lines = bannerLines({ ...facts, host: "0.0.0.0" });
    expect(lines[0]).toBe("LumiqTrace collector listening on 0.0.0.0:4477 (every network interface)");
    expect(lines[1]).toMatch(/^ {2}WARNING: {2}other machines can reach it/);
    expect(lines).toContain("  viewer:   http://127.0.0.1:4477/?key=lqt_dev_abc%2B%2F%3D");
    expect(lines.join("\n")).not.toMatch(/listening on http:\/\/127\.0\.0\.1/);
  });

  it("on one network address names it, and never prints a key from the environment", () => {
    const lines = bannerLines({
      ...facts,
      host: "192.168.1.5",
      url: "http://192.168.1.5:4477",
      apiKey: "lqt_live_secret1234",
      keySource: "env",
    });
    expect(lines[0]).toBe("LumiqTrace collector listening on 192.168.1.5:4477 (not loopback)");
    expect(lines).toContain("  viewer:   http://192.168.1.5:4477/?key=<your LUMIQTRACE_API_KEY>");
    expect(lines).toContain("  api key:  …1234 (from LUMIQTRACE_API_KEY)");
    expect(lines.join("\n")).not.toContain("secret");
  });
});
