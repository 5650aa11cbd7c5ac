import { Chat } from "./chat";

export default function Home() {
  return (
    <main>
      <h1>Chat</h1>
      <p>
        Every message is one trace: the route handler and the model call, sent to LumiqTrace after the answer.
      </p>
      <Chat />
    </main>
  );
}
