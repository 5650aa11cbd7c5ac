// Which runtime this is, where the SDK's choices differ: Node itself, or anything else (Workers, Vercel
// Edge and Next's Edge sandbox, Deno, Bun), which some of Node's globals may be shims of.
type Proc = { versions?: Record<string, string | undefined> };

/** Node itself: not Bun or Deno (which set `process.versions.node` too), not an Edge or Workers sandbox. */
export function isNode(): boolean {
  const g = globalThis as { process?: Proc; EdgeRuntime?: unknown; navigator?: { userAgent?: string } };
  const versions = g.process?.versions;
  return (
    typeof versions?.node === "string" &&
    !versions.bun &&
    !versions.deno &&
    typeof g.EdgeRuntime === "undefined" &&
    g.navigator?.userAgent !== "Cloudflare-Workers"
  );
}
