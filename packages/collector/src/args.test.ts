import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseDevArgs } from "./args.js";

describe("lumiqtrace dev flags", () => {
  it("defaults to port 4477, loopback, a generated key and .lumiqtrace/traces.sqlite", () => {
    const a = parseDevArgs([], {});
    expect(a).toMatchObject({ port: 4477, host: "127.0.0.1", keySource: "generated", faults: null });
    expect(a.apiKey).toMatch(/^lqt_dev_/);
    expect(a.dbPath).toBe(resolve(".lumiqtrace/traces.sqlite"));
  });

  it("takes an IP address or a host name as --host", () => {
    expect(parseDevArgs(["--host", "0.0.0.0"], {}).host).toBe("0.0.0.0");
    expect(parseDevArgs(["--host", "[::1]"], {}).host).toBe("::1");
    expect(parseDevArgs(["--host", "::"], {}).host).toBe("::");
    expect(parseDevArgs(["--host", "dev-box.local"], {}).host).toBe("dev-box.local");
  });

  it("takes the key from the flag before the environment", () => {
    expect(parseDevArgs([], { LUMIQTRACE_API_KEY: "env-key" })).toMatchObject({
      apiKey: "env-key",
      keySource: "env",
    });
    expect(parseDevArgs(["--key", "flag-key"], { LUMIQTRACE_API_KEY: "env-key" })).toMatchObject({
      apiKey: "flag-key",
      keySource: "flag",
    });
  });

  it("refuses an empty key, or one with whitespace or control characters, saying where it came from", () => {
    expect(() => parseDevArgs(["--key", ""], {})).toThrow("--key: the key is empty");
    expect(() => parseDevArgs(["--key", " lqt_x"], {})).toThrow("--key: the key contains whitespace");
    expect(() => parseDevArgs([], { LUMIQTRACE_API_KEY: "" })).toThrow(
      "LUMIQTRACE_API_KEY: the key is empty (fix it, or unset it to get a generated key)",
    );
    expect(() => parseDevArgs([], { LUMIQTRACE_API_KEY: "lqt_x\n" })).toThrow(
      /^LUMIQTRACE_API_KEY: the key contains whitespace or a control character/,
    );
    // a good flag wins over a bad environment, which is then not used at all
    expect(parseDevArgs(["--key", "k1"], { LUMIQTRACE_API_KEY: "" })).toMatchObject({ apiKey: "k1" });
  });

  it("builds a fault spec from the fault flags", () => {
    const a = parseDevArgs(
      [
        "--fail",
        "503",
        "--retry-after",
        "2",
        "--fail-count",
        "3",
        "--fail-rate",
        "0.5",
        "--delay-ms",
        "2000",
      ],
      {},
    );
    expect(a.faults).toEqual({ status: 503, retryAfter: 2, count: 3, rate: 0.5, delayMs: 2000 });
    expect(parseDevArgs(["--hang"], {}).faults).toEqual({ hang: true });
    expect(parseDevArgs(["--reset", "--fail-count", "1"], {}).faults).toEqual({ reset: true, count: 1 });
  });

  it("rejects contradictions and bad values", () => {
    expect(() => parseDevArgs(["--memory", "--db", "x.sqlite"], {})).toThrow(/--db or --memory/);
    expect(() => parseDevArgs(["--port", "http"], {})).toThrow(/--port: expected an integer/);
    expect(() => parseDevArgs(["--port", "70000"], {})).toThrow(/--port/);
    expect(() => parseDevArgs(["--fail-count", "2"], {})).toThrow(/at least one of status/);
    expect(() => parseDevArgs(["--fail", "200"], {})).toThrow(/--fail/);
    expect(() => parseDevArgs(["--nope"], {})).toThrow(/Unknown option/);
    expect(() => parseDevArgs(["--host", "not a host!"], {})).toThrow(
      '--host: expected an IP address or a host name, got "not a host!"',
    );
    expect(() => parseDevArgs(["--host", "-x.example"], {})).toThrow(/--host/);
    expect(() => parseDevArgs(["--host", ""], {})).toThrow(/--host/);
  });
});
