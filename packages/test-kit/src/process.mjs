import { spawn } from "node:child_process";

/**
 * Starts a server process (netlify functions:serve, next start, ...) and resolves once `ready(output)`
 * says so, or once `url` answers an HTTP request. Rejects with everything it printed when it exits or
 * `timeoutMs` passes first. `stop()` ends it and the processes it started (its process group).
 */
export async function startProcess({ command, args = [], cwd, env, ready, url, timeoutMs = 60_000 }) {
  let output = "";
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    detached: true, // its own process group, so stop() also ends what it spawned
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  // never leave a server behind, even when the test run dies
  const killOnExit = () => signal("SIGKILL");
  process.once("exit", killOnExit);
  void exited.then(() => process.off("exit", killOnExit));

  function signal(name) {
    try {
      process.kill(-child.pid, name);
    } catch {
      // already gone
    }
  }
  const running = () => child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    if (!running()) return;
    signal("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000).unref())]);
    if (running()) {
      signal("SIGKILL");
      await exited;
    }
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!running()) throw new Error(`${command} exited before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${command} was not ready within ${timeoutMs} ms:\n${output}`);
    }
    if (ready ? ready(output) : await answers(url)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return { output: () => output, stop, pid: child.pid, exited };
}

async function answers(url) {
  try {
    await fetch(url);
    return true;
  } catch {
    return false;
  }
}
