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

export function matchRoute(routes: Route[], method: string, path: string): Match {
  for (const route of routes) {
    const params =
      typeof route.path === "string"
        ? route.path === path
          ? []
          : null
        : (route.path.exec(path)?.slice(1) ?? null);
    if (!params) continue;
    const endpoint = route.methods[method] ?? (method === "HEAD" ? route.methods.GET : undefined);
    if (endpoint) return { endpoint, params };
    const methods = Object.keys(route.methods);
    const allow = methods.includes("GET") ? [...methods, "HEAD"] : methods;
    return { status: 405, error: `use ${listed(methods)}`, allow: allow.join(", ") };
  }
  return { status: 404, error: `no route ${method} ${path}` };
}
