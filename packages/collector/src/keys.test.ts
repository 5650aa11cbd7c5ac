import { describe, expect, it } from "vitest";
import { apiKeyProblem, generateApiKey } from "./keys.js";

describe("API keys", () => {
  it("generates usable dev keys", () => {
    const key = generateApiKey();
    expect(key).toMatch(/^lqt_dev_[A-Za-z0-9_-]{24}$/);
    expect(apiKeyProblem(key)).toBeUndefined();
    expect(generateApiKey()).not.toBe(key);
  });

  it("takes any visible ASCII", () => {
    expect(apiKeyProblem("lqt_live_AZaz09-._~+/=!#$%&'*")).toBeUndefined();
  });

  it.each([
    ["", "the key is empty"],
    [" ", "the key contains whitespace or a control character"],
    ["abc def", "the key contains whitespace or a control character"],
    ["abc\t", "the key contains whitespace or a control character"],
    ["abc\n", "the key contains whitespace or a control character"],
    ["\u001b[31mred", "the key contains whitespace or a control character"],
    ["abc\u007f", "the key contains whitespace or a control character"],
    ["clé", "the key contains a non-ASCII character"],
    ["abc\u00a0", "the key contains a non-ASCII character"],
  ])("refuses %j", (key, problem) => {
    expect(apiKeyProblem(key)).toBe(problem);
  });
});
