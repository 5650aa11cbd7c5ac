import { describe, expect, it } from "vitest";
import { isLoopbackAddress, isLoopbackHost } from "./access.js";

describe("loopback", () => {
  it.each([
    "127.0.0.1",
    "127.1.2.3",
    "localhost",
    "LOCALHOST",
    "app.localhost",
    "::1",
    "[::1]",
    "0:0:0:0:0:0:0:1",
    "::ffff:127.0.0.1",
  ])("listening on %s is loopback", (host) => {
    expect(isLoopbackAddress(host)).toBe(true);
  });

  it.each([
    "0.0.0.0",
    "::",
    "192.168.1.5",
    "10.0.0.1",
    "::ffff:10.0.0.1",
    "example.com",
    "128.0.0.1",
    "fe80::1",
  ])("listening on %s is not", (host) => {
    expect(isLoopbackAddress(host)).toBe(false);
  });

  it("tells Host headers addressed to this machine from the rest", () => {
    expect(isLoopbackHost("127.0.0.1:4477")).toBe(true);
    expect(isLoopbackHost("localhost:4477")).toBe(true);
    expect(isLoopbackHost("[::1]:4477")).toBe(true);
    expect(isLoopbackHost("evil.example:4477")).toBe(false);
    expect(isLoopbackHost("127.0.0.1.evil.example")).toBe(false);
    expect(isLoopbackHost(undefined)).toBe(false);
  });
});
