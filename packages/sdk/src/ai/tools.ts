// The tools of a call, each `execute` observed: one `custom` span `execute_tool <name>` per run, a child
// of the call's parent span, and the parent of what the tool itself records. What `execute` returns
// (a value, a promise, an async iterable of preliminary results) and throws is unchanged.
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_CALL_RESULT,
  ATTR_GEN_AI_TOOL_NAME,
} from "@lumiqtrace/protocol";
import { watchIterator } from "../llm/iterator.js";
import { type Obj, obj, str } from "../llm/read.js";
import { runWithSpan, type Span, startSpan } from "../span.js";
import type { Scope } from "./scope.js";

type Execute = (this: unknown, ...args: unknown[]) => unknown;

/** How many of `tools` the AI SDK would execute (those with an `execute` function). */
export function executableTools(tools: unknown): number {
  const t = obj(tools);
  if (!t) return 0;
  let n = 0;
  for (const key of Object.keys(t)) if (typeof obj(t[key])?.execute === "function") n++;
  return n;
}

/** A copy of `tools` whose `execute` functions are observed; tools without one are the same objects. */
export function observeTools(tools: Obj, scope: Scope): Obj {
  const out: Obj = {};
  for (const name of Object.keys(tools)) {
    const tool = obj(tools[name]);
    out[name] =
      tool && typeof tool.execute === "function"
        ? { ...tool, execute: traceExecute(name, tool.execute as Execute, tool, scope) }
        : tools[name];
  }
  return out;
}

function traceExecute(name: string, execute: Execute, tool: Obj, scope: Scope): Execute {
  return function tracedExecute(...args: unknown[]) {
    const [input, options] = args;
    const span = scope.run(() =>
      startSpan({
        name: `execute_tool ${name}`,
        kind: "custom",
        attributes: {
          [ATTR_GEN_AI_OPERATION_NAME]: "execute_tool",
          [ATTR_GEN_AI_TOOL_NAME]: name,
          [ATTR_GEN_AI_TOOL_CALL_ID]: str(obj(options)?.toolCallId),
          [ATTR_GEN_AI_TOOL_CALL_ARGUMENTS]: scope.recordInputs ? input : undefined,
          ...scope.attributes,
        },
      }),
    );
    let out: unknown;
    try {
      // on the user's own tool object, as the AI SDK calls it (`tool.execute.bind(tool)`)
      out = runWithSpan(span, () => execute.apply(tool, args));
    } catch (error) {
      fail(span, error);
      throw error;
    }
    const then = obj(out)?.then;
    if (typeof then === "function") {
      (out as PromiseLike<unknown>).then(
        (value) => done(span, scope, value),
        (error: unknown) => fail(span, error),
      );
      return out;
    }
    const iterate = obj(out)?.[Symbol.asyncIterator as never] as (() => AsyncIterator<unknown>) | undefined;
    if (typeof iterate === "function") {
      // preliminary results: the span ends with the last one
      let last: unknown;
      const source = out as AsyncIterable<unknown>;
      return {
        [Symbol.asyncIterator]: () =>
          watchIterator(iterate.call(source), {
            see(item) {
              last = item;
              return true;
            },
            end: (status) =>
              status === "cancelled" ? span.setStatus("cancelled").end() : done(span, scope, last),
            fail: (error) => fail(span, error),
          }),
      };
    }
    done(span, scope, out);
    return out;
  };
}

function done(span: Span, scope: Scope, result: unknown) {
  if (scope.recordOutputs) span.setAttribute(ATTR_GEN_AI_TOOL_CALL_RESULT, result);
  span.end();
}

function fail(span: Span, error: unknown) {
  span.recordError(error).setAttribute(ATTR_ERROR_TYPE, obj(error)?.name);
  span.end();
}
