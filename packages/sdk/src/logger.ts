// One-line warnings, each said once; debug lines only when `debug` is on. Never the API key: what is
// printed is redacted of every secret the client holds, even text a server sent back.
const said = new Set<string>();
let debugOn = false;
let secrets: string[] = [];

/** The values never to print (the API key, credential headers). */
export function setSecrets(values: string[]): void {
  secrets = values.filter((v) => v.length >= 4);
}

export function setDebug(on: boolean): void {
  debugOn = on;
}

export function isDebug(): boolean {
  return debugOn;
}

export function warn(message: string): void {
  try {
    for (const secret of secrets) message = message.split(secret).join("[redacted]");
    console.warn(`[lumiqtrace] ${message}`);
  } catch {
    // a broken console must not reach user code
  }
}

export function warnOnce(key: string, message: string): void {
  if (said.has(key)) return;
  said.add(key);
  warn(message);
}

export function debug(message: string): void {
  if (debugOn) warn(message);
}

/** For tests: forget which warnings were said. */
export function resetWarnings(): void {
  said.clear();
}
