// `@lumiqtrace/sdk/ai`: the Vercel AI SDK (`ai` 5, 6 and 7) traced. wrapAISDK(ai) hands back the module's
// functions, six of them observed: each call gets a scope (scope.ts), its model is observed (model.ts),
// its tools (tools.ts) and, for a stream, its result (result.ts). README.md beside this file says why it
// hooks in there rather than through the AI SDK's own telemetry, and what is recorded.
import { obj } from "../llm/read.js";
import { warnOnce } from "../logger.js";
import { observeModel } from "./model.js";
import { observeStreamResult } from "./result.js";
import { notRecording, type Scope, startScope, telemetryOf } from "./scope.js";
import { executableTools, observeTools } from "./tools.js";

type Fn = (this: unknown, ...args: unknown[]) => unknown;

const WRAPPED = Symbol.for("@lumiqtrace/sdk.ai");

/** The functions observed, and the kind of model each takes. */
const TRACED: Record<string, "language" | "embedding"> = {
  generateText: "language",
  streamText: "language",
  generateObject: "language",
  streamObject: "language",
  embed: "embedding",
  embedMany: "embedding",
};

/**
 * The AI SDK's module with `generateText`, `streamText`, `generateObject`, `streamObject`, `embed` and
 * `embedMany` recorded: same functions, types, results and errors. Everything else is the module's own.
 */
export function wrapAISDK<T>(ai: T): T {
  const mod = obj(ai);
  if (!mod || typeof mod.generateText !== "function") {
    warnOnce(
      "wrapAISDK-not-ai",
      'wrapAISDK(ai) expects the AI SDK\'s module (import * as ai from "ai"); returned as it is, untraced',
    );
    return ai;
  }
  if (mod[WRAPPED as never]) return ai;
  const out: Record<PropertyKey, unknown> = { ...mod };
  for (const name of Object.keys(TRACED)) {
    const fn = mod[name];
    if (typeof fn === "function") out[name] = traced(name, fn as Fn, TRACED[name]!, mod);
  }
  Object.defineProperty(out, WRAPPED, { value: true });
  return out as T;
}

function traced(name: string, fn: Fn, kind: "language" | "embedding", mod: Record<string, unknown>): Fn {
  const streamed = name.startsWith("stream");
  const loops = name === "generateText" || name === "streamText";
  const wrapper = function (this: unknown, ...args: unknown[]) {
    const a = obj(args[0]);
    // the user's `isEnabled: false` opts this call out of every telemetry, ours included
    if (!a || telemetryOf(a)?.isEnabled === false || notRecording()) return fn.apply(this, args);
    const model = resolveModel(a.model, kind, mod);
    const toolCount = loops ? executableTools(a.tools) : 0;
    const scope = startScope(name, a, model, toolCount);
    if (scope.parent && !scope.parent.sampled) return fn.apply(this, args);
    const options = observedOptions(a, model, kind, toolCount, scope);
    // a streamed tool loop ends when the AI SDK says so, whoever reads the stream
    if (streamed && scope.parent) chainEndCallbacks(options, a, scope);
    let result: unknown;
    try {
      result = fn.call(this, options, ...args.slice(1));
    } catch (error) {
      scope.finish("error", error);
      throw error;
    }
    if (streamed) return observeStreamResult(result, scope);
    const then = obj(result)?.then;
    if (typeof then === "function") {
      // on the side: the caller gets the very promise, and its rejection stays theirs to handle
      (result as PromiseLike<unknown>).then(
        () => scope.finish("ok"),
        (error: unknown) => scope.finish("error", error),
      );
    }
    return result;
  };
  Object.defineProperty(wrapper, "name", { value: fn.name });
  return wrapper;
}

/** The call's options with its model, tools and `prepareStep` observed. */
function observedOptions(
  a: Record<string, unknown>,
  model: unknown,
  kind: "language" | "embedding",
  toolCount: number,
  scope: Scope,
): Record<string, unknown> {
  const options: Record<string, unknown> = { ...a, model: observeModel(model, kind, scope) };
  if (toolCount > 0) options.tools = observeTools(a.tools as Record<string, unknown>, scope);
  const prepareStep = a.prepareStep;
  if (typeof prepareStep === "function") {
    // a step may switch models: the one it picks is observed too
    options.prepareStep = async function (this: unknown, ...args: unknown[]) {
      const step = await prepareStep.apply(this, args);
      const s = obj(step);
      return s && s.model !== undefined ? { ...s, model: observeModel(s.model, kind, scope) } : step;
    };
  }
  return options;
}

/** `onFinish` (`onEnd` in AI SDK 7) and `onAbort`, with ours first; the user's run as they would. */
function chainEndCallbacks(options: Record<string, unknown>, a: Record<string, unknown>, scope: Scope) {
  // AI SDK 7 takes `onEnd` (with `onFinish` as its old name): chain the one the user passed
  const finishKey = typeof a.onEnd === "function" ? "onEnd" : "onFinish";
  options[finishKey] = chained(a[finishKey], () => scope.finish("ok"));
  options.onAbort = chained(a.onAbort, () => scope.finish("cancelled"));
}

function chained(user: unknown, ours: () => void) {
  return function (this: unknown, ...args: unknown[]) {
    try {
      ours();
    } catch {
      // ours never throws; the user's callback must run whatever happens
    }
    return typeof user === "function" ? user.apply(this, args) : undefined;
  };
}

/**
 * A model given by id (`"openai/gpt-4o"`) is the AI SDK's global provider's (`AI_SDK_DEFAULT_PROVIDER`,
 * else the gateway), resolved as the AI SDK does; when that fails the id is left for the AI SDK, which
 * then throws its own error.
 */
function resolveModel(model: unknown, kind: "language" | "embedding", mod: Record<string, unknown>): unknown {
  if (typeof model !== "string") return model;
  const g = globalThis as { AI_SDK_DEFAULT_PROVIDER?: unknown };
  const provider = providerLike(g.AI_SDK_DEFAULT_PROVIDER) ?? providerLike(mod.gateway);
  const names = kind === "language" ? ["languageModel"] : ["embeddingModel", "textEmbeddingModel"];
  for (const n of names) {
    const make = provider?.[n];
    if (typeof make !== "function") continue;
    try {
      return make.call(provider, model);
    } catch {
      return model;
    }
  }
  return model;
}

/** Providers are functions with methods (`createOpenAI()`, `gateway`) or plain objects. */
function providerLike(value: unknown): Record<string, unknown> | undefined {
  return (typeof value === "object" && value !== null) || typeof value === "function"
    ? (value as Record<string, unknown>)
    : undefined;
}
