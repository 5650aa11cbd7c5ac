// One-line warnings, each said once; debug lines only when `debug` is on. Never given the API key.
const said = new Set<string>();
let debugOn = false;

export function setDebug(on: boolean): void {
  debugOn = on;
}

export function isDebug(): boolean {
  return debugOn;
}

export function warn(message: string): void {
  try {
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
