// The completion as `gen_ai.output.messages` records it, the same for every client we wrap.

export interface OutputToolCall {
  /** The choice (the message) the call belongs to. */
  choice: number;
  id?: string;
  name?: string;
  arguments: string;
}

export interface OutputAnswer {
  calls: OutputToolCall[];
  /** Text per choice. */
  texts: string[];
  /** Finish reason per choice. */
  finish: string[];
}

/** One assistant message per choice, with its tool calls: `[{ role, content, tool_calls?, finish_reason }]`. */
export function outputMessages(choices: unknown[], answer: OutputAnswer) {
  if (choices.length === 0) return undefined;
  return Array.from(choices, (_, i) => {
    const mine = answer.calls
      .filter((c) => c.choice === i)
      .map(({ id, name, arguments: a }) => ({ id, name, arguments: a }));
    return {
      role: "assistant",
      content: answer.texts[i] ?? null,
      tool_calls: mine.length ? mine : undefined,
      finish_reason: answer.finish[i],
    };
  });
}
