import { describe, expect, it } from "vitest";
import { type Endpoint, matchRoute, type Route } from "./router.js";

const endpoint = (name: string): Endpoint => ({ access: "public", handle: () => name });
const batch = endpoint("batch");
const list = endpoint("list");
const one = endpoint("one");
const routes: Route[] = [
  { path: "/v1/batch", methods: { POST: batch } },
  { path: "/v1/traces", methods: { GET: list } },
  { path: /^\/v1\/traces\/([^/]+)$/, methods: { GET: one } },
  { path: "/_control/faults", methods: { GET: list, POST: batch, DELETE: batch } },
];

describe("matchRoute", () => {
  it("finds the endpoint by path and method, with the pattern's groups", () => {
    expect(matchRoute(routes, "POST", "/v1/batch")).toEqual({ endpoint: batch, params: [] });
    expect(matchRoute(routes, "GET", "/v1/traces/abc")).toEqual({ endpoint: one, params: ["abc"] });
    expect(matchRoute(routes, "HEAD", "/v1/traces")).toEqual({ endpoint: list, params: [] });
  });

  it("answers 404 for an unknown path whatever the method", () => {
    expect(matchRoute(routes, "GET", "/nope")).toEqual({ status: 404, error: "no route GET /nope" });
    expect(matchRoute(routes, "POST", "/v1/spans")).toEqual({
      status: 404,
      error: "no route POST /v1/spans",
    });
    expect(matchRoute(routes, "POST", "/v1/traces/a/b")).toMatchObject({ status: 404 });
  });

  it("answers 405 with the methods a known path takes", () => {
    expect(matchRoute(routes, "GET", "/v1/batch")).toEqual({ status: 405, error: "use POST", allow: "POST" });
    expect(matchRoute(routes, "POST", "/v1/traces")).toEqual({
      status: 405,
      error: "use GET",
      allow: "GET, HEAD",
    });
    expect(matchRoute(routes, "PUT", "/_control/faults")).toEqual({
      status: 405,
      error: "use GET, POST or DELETE",
      allow: "GET, POST, DELETE, HEAD",
    });
  });
});
