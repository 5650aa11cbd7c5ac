export interface StartRuntimeOptions {
  /** The function's directory (LAMBDA_TASK_ROOT). */
  cwd: string;
  /** "file.export", as Lambda's handler setting. */
  handler: string;
  env?: Record<string, string>;
  /** SIGSTOP the process between invocations, as Lambda does. Default true. */
  freeze?: boolean;
  functionName?: string;
  /** A directory standing in for /opt/extensions: its executables run as external extensions. */
  extensionsDir?: string;
}

export interface InvocationOutcome {
  requestId: string;
  kind: "response" | "error";
  /** True when the function answered with `Lambda-Runtime-Function-Response-Mode: streaming`. */
  streamed: boolean;
  /** The response body as text (for a streamed HTTP response: prelude, 8 zero bytes, then the body). */
  body?: string;
  contentType?: string;
  /** What the runtime reported for an error: `{ errorType, errorMessage, trace }`. */
  error?: { errorType?: string; errorMessage?: string; trace?: string[] };
  /** What `onResponse` returned, the moment the answer arrived (a streamed one: its last byte). */
  atResponse?: unknown;
  /** What `onFreeze` returned, when the runtime asked for the next event, just before it was stopped. */
  atFreeze?: unknown;
  sentAt: number;
  deliveredAt: number;
  respondedAt: number;
  frozenAt: number;
  deadline: number;
  /** When the last extension asked for its next event (undefined without extensions). */
  extensionsNextAt?: number;
}

export interface ShutdownOutcome {
  startedAt: number;
  /** The end of the Shutdown phase (2 s), as sent in the SHUTDOWN events. */
  deadlineMs: number;
  extensions: {
    name: string;
    exitedAt?: number;
    killed: boolean;
    code: number | null;
    signal: string | null;
  }[];
}

export interface Runtime {
  invoke(
    event: unknown,
    options?: { timeoutMs?: number; onResponse?: () => unknown; onFreeze?: () => unknown },
  ): Promise<InvocationOutcome>;
  /** The Shutdown phase: SIGTERM to the runtime, SHUTDOWN to the extensions, SIGKILL at its deadline. */
  shutdown(options?: { reason?: string }): Promise<ShutdownOutcome>;
  close(): Promise<void>;
  logs(): string;
  /** An extension's process, by its file name. */
  extension(name: string): import("node:child_process").ChildProcess | undefined;
  isFrozen(): boolean;
  /** When the runtime process exited (undefined while it runs). */
  runtimeExitedAt(): number | undefined;
  thaw(): void;
  freeze(): void;
}

export function startRuntime(options: StartRuntimeOptions): Promise<Runtime>;
