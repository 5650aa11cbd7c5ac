// One call of an AI SDK function (`generateText`, `streamText`, ...) as we record it: where its spans
// belong, what the user's telemetry settings allow, and how it ends. Every span of the call is started
// through its scope, never from the async context it happens to run in: the AI SDK runs a stream's later
// steps and tools from the stream consumer's reads, which may be in another context (the platform's).
import {
  ATTR_AI_MODEL_PROVIDER,
  ATTR_AI_TELEMETRY_FUNCTION_ID,
  ATTR_AI_TELEMETRY_METADATA_PREFIX,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_LUMIQTRACE_REQUEST_TOOLS_COUNT,
} from "@lumiqtrace/protocol";
import { activeState, runWithState, type TraceState } from "../context.js";
import { getClient } from "../global.js";
import { obj, str } from "../llm/read.js";
import { runWithSpan, type Span, startSpan } from "../span.js";
import { providerName } from "./provider.js";

export type Outcome = "ok" | "end" | "cancelled" | "error";

export interface Scope {
  /** The parent span of a call that runs tools (a tool loop), else undefined. */
  readonly parent: Span | undefined;
  /** `ai.telemetry.functionId` and `ai.telemetry.metadata.*`, on every span of the call. */
  readonly attributes: Record<string, unknown>;
  /** Prompts (and tool arguments) may be recorded: `captureContent` on, `recordInputs` not false. */
  readonly recordInputs: boolean;
  /** Completions (and tool results) may be recorded: `captureContent` on, `recordOutputs` not false. */
  readonly recordOutputs: boolean;
  /** Runs `fn` where the call's spans belong: under its parent span, or where the user called. */
  run<R>(fn: () => R): R;
  /** A model call's stream is open: `stop` ends it as cancelled if the consumer cancels the call. */
  opened(stop: () => void): () => void;
  /** A model call failed: the call's error if it never finishes. */
  failed(error: unknown): void;
  /**
   * The call is over: ends the parent span and, when `cancelled`, every model stream still open. `end`:
   * its stream was read to the end, which is a failure when a model call failed and nothing finished.
   */
  finish(outcome: Outcome, error?: unknown): void;
}

/** The user's `experimental_telemetry` (AI SDK 5, 6) or `telemetry` (7). */
export function telemetryOf(args: Record<string, unknown>): Record<string, unknown> | undefined {
  return obj(args.telemetry) ?? obj(args.experimental_telemetry);
}

/** True when nothing of this call can be recorded: tracing off, or the trace sampled out. */
export function notRecording(): boolean {
  const state = activeState();
  return state ? !state.sampled : !getClient().options.enabled;
}

function telemetryAttributes(telemetry: Record<string, unknown> | undefined): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  const functionId = str(telemetry?.functionId);
  if (functionId) attributes[ATTR_AI_TELEMETRY_FUNCTION_ID] = functionId;
  const metadata = obj(telemetry?.metadata);
  if (metadata) {
    for (const key of Object.keys(metadata)) {
      attributes[ATTR_AI_TELEMETRY_METADATA_PREFIX + key] = metadata[key];
    }
  }
  return attributes;
}

/**
 * The scope of one call, started where the user called. `toolCount` > 0 (a call that can run tools)
 * gives it a parent span named `ai.<fn>`: its model calls and tool executions are its children.
 */
export function startScope(
  fn: string,
  args: Record<string, unknown>,
  model: unknown,
  toolCount: number,
): Scope {
  const telemetry = telemetryOf(args);
  const attributes = telemetryAttributes(telemetry);
  const capture = getClient().options.captureContent;
  const state: TraceState | undefined = activeState();
  let parent: Span | undefined;
  if (toolCount > 0) {
    const m = obj(model);
    parent = startSpan({
      name: `ai.${fn}`,
      kind: "custom",
      attributes: {
        [ATTR_GEN_AI_PROVIDER_NAME]: m ? providerName(m.provider) : undefined,
        [ATTR_GEN_AI_REQUEST_MODEL]: m ? m.modelId : model,
        [ATTR_AI_MODEL_PROVIDER]: m?.provider,
        [ATTR_LUMIQTRACE_REQUEST_TOOLS_COUNT]: toolCount,
        ...attributes,
      },
    });
  }
  const open = new Set<() => void>();
  let error: unknown;
  let hasError = false;
  return {
    parent,
    attributes,
    recordInputs: capture && telemetry?.recordInputs !== false,
    recordOutputs: capture && telemetry?.recordOutputs !== false,
    run(f) {
      if (parent) return runWithSpan(parent, f);
      return state ? runWithState(state, f) : f();
    },
    opened(stop) {
      open.add(stop);
      return () => open.delete(stop);
    },
    failed(e) {
      error = e;
      hasError = true;
    },
    finish(outcome, e) {
      if (outcome === "cancelled") {
        for (const stop of [...open]) stop();
        open.clear();
      }
      if (!parent || parent.ended) return;
      if (outcome === "error") parent.recordError(e);
      else if (outcome === "end" && hasError) parent.recordError(error);
      else if (outcome === "cancelled") parent.setStatus("cancelled");
      parent.end();
    },
  };
}
