// The accumulator on its own, for what the echo model does not send: message_delta's cumulative input
// counts (which replace message_start's), server tool calls, several text blocks.
import { describe, expect, it } from "vitest";
import { addEvent, addMessage, messageResult, newMessageAnswer } from "./message.js";

describe("a streamed message", () => {
  it("takes input counts from message_start, and replaces them with message_delta's where it has them", () => {
    const answer = newMessageAnswer();
    const events = [
      {
        type: "message_start",
        message: {
          id: "msg_1",
          model: "claude-x",
          content: [],
          usage: {
            input_tokens: 3,
            cache_read_input_tokens: 100,
            cache_creation_input_tokens: 0,
            output_tokens: 1,
          },
        },
      },
      { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
      { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hi" } },
      { type: "content_block_stop", index: 0 },
      {
        type: "message_delta",
        delta: { stop_reason: "end_turn" },
        usage: {
          output_tokens: 9,
          input_tokens: 4,
          cache_creation_input_tokens: 20,
          output_tokens_details: { thinking_tokens: 5 },
        },
      },
      { type: "message_stop" },
    ];
    expect(events.map((e) => addEvent(answer, e, false))).toEqual([false, false, true, false, false, false]);
    expect(messageResult(answer)).toMatchObject({
      id: "msg_1",
      model: "claude-x",
      finishReasons: ["end_turn"],
      usage: { input: 124, output: 9, cacheRead: 100, cacheWrite: 20, reasoning: 5 },
    });
  });

  it("keeps text and tool input only when content is captured, and names server tools too", () => {
    const events = [
      { type: "message_start", message: { content: [] } },
      { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
      { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Looking" } },
      {
        type: "content_block_start",
        index: 1,
        content_block: { type: "server_tool_use", id: "s1", name: "web_search", input: {} },
      },
      { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '{"q":' } },
      { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '"x"}' } },
      {
        type: "content_block_start",
        index: 2,
        content_block: { type: "tool_use", id: "t1", name: "lookup", input: {} },
      },
      { type: "message_delta", delta: { stop_reason: "tool_use" }, usage: { output_tokens: 4 } },
    ];
    const captured = newMessageAnswer();
    const plain = newMessageAnswer();
    for (const e of events) {
      addEvent(captured, e, true);
      addEvent(plain, e, false);
    }
    expect(messageResult(plain).toolCalls).toEqual(["web_search", "lookup"]);
    expect(messageResult(captured).output?.()).toEqual([
      {
        role: "assistant",
        content: "Looking",
        tool_calls: [
          { id: "s1", name: "web_search", arguments: '{"q":"x"}' },
          // no input pieces: the input content_block_start gave
          { id: "t1", name: "lookup", arguments: "{}" },
        ],
        finish_reason: "tool_use",
      },
    ]);
    expect((messageResult(plain).output!() as unknown[])[0]).toMatchObject({
      content: null,
      tool_calls: [{ arguments: "" }, { arguments: "" }],
    });
  });
});

describe("a whole message", () => {
  it("joins its text blocks, leaves thinking out, and counts cached input in the input tokens", () => {
    const answer = newMessageAnswer();
    addMessage(
      answer,
      {
        id: "msg_2",
        content: [
          { type: "thinking", thinking: "hmm", signature: "s" },
          { type: "text", text: "One." },
          { type: "text", text: "Two." },
        ],
        stop_reason: "max_tokens",
        usage: { input_tokens: 1, cache_read_input_tokens: 2, output_tokens: 3 },
      },
      true,
    );
    const result = messageResult(answer);
    expect(result.usage).toEqual({
      input: 3,
      output: 3,
      cacheRead: 2,
      cacheWrite: undefined,
      reasoning: undefined,
    });
    expect(result.output?.()).toEqual([
      { role: "assistant", content: "One. Two.", finish_reason: "max_tokens" },
    ]);
  });
});
