"use client";

import { type FormEvent, useState } from "react";

interface Message {
  id: number;
  role: "user" | "assistant";
  text: string;
}

let nextId = 0;

export function Chat() {
  const [messages, setMessages] = useState<Message[]>([]);
  const [input, setInput] = useState("");
  const [busy, setBusy] = useState(false);

  async function send(event: FormEvent) {
    event.preventDefault();
    const message = input.trim();
    if (!message || busy) return;
    setInput("");
    setBusy(true);
    const answerId = ++nextId;
    setMessages((m) => [
      ...m,
      { id: ++nextId, role: "user", text: message },
      { id: answerId, role: "assistant", text: "" },
    ]);
    try {
      const res = await fetch("/api/chat", {
        method: "POST",
        body: JSON.stringify({ message, stream: true }),
      });
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        // append the streamed text to the last (assistant) message
        setMessages((m) => m.map((msg) => (msg.id === answerId ? { ...msg, text: msg.text + value } : msg)));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <section>
      {messages.map((m) => (
        <p key={m.id}>
          <b>{m.role === "user" ? "You" : "Assistant"}:</b> {m.text}
        </p>
      ))}
      <form onSubmit={send} style={{ display: "flex", gap: 8 }}>
        <input
          value={input}
          onChange={(e) => setInput(e.target.value)}
          placeholder="Say something"
          style={{ flex: 1 }}
          aria-label="message"
        />
        <button type="submit" disabled={busy}>
          Send
        </button>
      </form>
    </section>
  );
}
