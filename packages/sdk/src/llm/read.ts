// Readers for what an LLM client hands back. Nothing in a response is trusted to have the shape its
// types promise (a proxy, a gateway or a new API version may send `choices: [null]` or `tool_calls: {}`):
// every value is checked before use, and a reader never throws for what it is given.

export type Obj = Record<string, unknown>;

/** `value` when it is a non-null object (not an array), else undefined. */
export function obj(value: unknown): Obj | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Obj) : undefined;
}

/** `value` when it is an array, else an empty one. */
export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}
