// One-line warnings, each said once; debug lines only when `debug` is on. Never the API key: what is
// printed is redacted of every secret the client holds, even text a server sent back.
const said = new Set<string>();
let debugOn = false;
const secrets = new Set<string>();

/** Values never to print (the API key, credential header values). */
export function addSecrets(values: string[]): void {
  for (const v of values) if (v.length >= 4) secrets.add(v);
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
