// Ids need to be unique, not secret: Math.random, as OpenTelemetry JS's id generator does. It costs
// nothing to load, where the first crypto.getRandomValues of a Node 20 process takes milliseconds.
const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** 8 random hex characters. */
function hex32(): string {
  const n = (Math.random() * 0x1_0000_0000) >>> 0;
  return HEX[n >>> 24]! + HEX[(n >>> 16) & 0xff]! + HEX[(n >>> 8) & 0xff]! + HEX[n & 0xff]!;
}

/** `words` × 8 random hex characters, never all zeros (W3C forbids an all-zero id). */
function randomHex(words: number): string {
  let out = "";
  for (let i = 0; i < words; i++) out += hex32();
  return /^0+$/.test(out) ? `${out.slice(1)}1` : out;
}

export function newTraceId(): string {
  return randomHex(4);
}

export function newSpanId(): string {
  return randomHex(2);
}

/** UUIDv7 (RFC 9562): 48-bit ms timestamp, version 7, variant 10, then random bits; sortable by creation time. */
export function uuidv7(now: number = Date.now()): string {
  const ts = Math.floor(now).toString(16).padStart(12, "0").slice(-12);
  const a = hex32();
  const b = hex32();
  const c = hex32();
  const variant = "89ab"[(Math.random() * 4) | 0];
  return `${ts.slice(0, 8)}-${ts.slice(8)}-7${a.slice(0, 3)}-${variant}${a.slice(3, 6)}-${b}${c.slice(0, 4)}`;
}
