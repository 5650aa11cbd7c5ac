// Which endpoint answers a request: by path first, then by method. An unknown path is a 404 whatever the
// method; a known path asked with another method is a 405 that says which methods it takes.
import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Who may call an endpoint. `ingest`: clients with the key (the endpoint checks it, after fault injection);
 * `private`: the read API, the viewer and the fault controls, which need the key once the collector listens
 * beyond loopback; `public`: anyone who reaches the collector.
 */
export type Access = "ingest" | "private" | "public";

export interface Endpoint {
  access: Access;
  handle(req: IncomingMessage, res: ServerResponse, url: URL, params: string[]): unknown;
}

export interface Route {
  /** an exact path, or a pattern whose groups become `params` */
  path: string | RegExp;
  methods: Partial<Record<string, Endpoint>>;
}

export type Match =
  | { endpoint: Endpoint; params: string[] }
  | { status: 404 | 405; error: string; allow?: string };

function listed(methods: string[]): string {
  return methods.length === 1 ? methods[0]! : `${methods.slice(0, -1).join(", ")} or ${methods.at(-1)}`;
}

/** The endpoint for this method and path; routes on the same path add up (`GET` and `POST /v1/traces`). */
export function matchRoute(routes: Route[], method: string, path: string): Match {
  const methods: Partial<Record<string, Endpoint>> = {};
  let params: string[] | undefined;
  for (const route of routes) {
    const matched =
      typeof route.path === "string"
        ? route.path === path
          ? []
          : null
        : (route.path.exec(path)?.slice(1) ?? null);
    if (!matched) continue;
    params ??= matched;
    for (const [m, endpoint] of Object.entries(route.methods)) methods[m] ??= endpoint;
  }
  if (!params) return { status: 404, error: `no route ${method} ${path}` };
  const endpoint = methods[method] ?? (method === "HEAD" ? methods.GET : undefined);
  if (endpoint) return { endpoint, params };
  const names = Object.keys(methods);
  const allow = names.includes("GET") ? [...names, "HEAD"] : names;
  return { status: 405, error: `use ${listed(names)}`, allow: allow.join(", ") };
}
