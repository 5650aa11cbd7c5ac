import type { IncomingHttpHeaders } from "node:http";

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number>;

export interface StartedProcess {
  output(): string;
  /** SIGTERM to its process group, SIGKILL after 5 s. */
  stop(): Promise<void>;
  pid: number | undefined;
  /** How it ended: its exit code, or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts a server process; resolves once `ready(output)` is true or `url` answers. */
export function startProcess(o: {
  command: string;
  args?: string[];
  cwd?: string;
  env?: Record<string, string | undefined>;
  ready?: (output: string) => boolean;
  url?: string;
  timeoutMs?: number;
}): Promise<StartedProcess>;

export type Step =
  | { status: number; headers?: Record<string, string>; body?: string; delayMs?: number }
  | { hang: true }
  | { reset: true };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  rawBytes: number;
  /** Parsed JSON when the content type is JSON, else the (gunzipped) bytes. */
  body: any;
  /** When it was answered (ms since the epoch); undefined while held (a delay, a hang) or reset. */
  answeredAt?: number;
}

export interface LoopbackServer {
  url: string;
  requests: RecordedRequest[];
  /** Events (`body.events`) of every request answered 2xx, in order. */
  delivered(): any[];
  /** Answer the next requests with these steps; once used up, answer 200. */
  script(...steps: Step[]): void;
  /** Forget what was recorded and scripted. */
  reset(): void;
  close(): Promise<void>;
}

export function startLoopbackServer(options?: { record?: boolean }): Promise<LoopbackServer>;
