// Random ids from a pooled buffer: one getRandomValues call per 4 KiB keeps id generation off the hot path.
const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const POOL_SIZE = 4096;
let pool = new Uint8Array(0);
let offset = POOL_SIZE;

function take(n: number): number {
  if (offset + n > pool.length) {
    if (pool.length === 0) pool = new Uint8Array(POOL_SIZE);
    crypto.getRandomValues(pool);
    offset = 0;
  }
  const at = offset;
  offset += n;
  return at;
}

function randomHex(bytes: number): string {
  const at = take(bytes);
  let out = "";
  let zero = true;
  for (let i = at; i < at + bytes; i++) {
    const b = pool[i]!;
    if (b !== 0) zero = false;
    out += HEX[b];
  }
  // W3C forbids an all-zero id; the chance is 2^-64 or less, but it costs nothing to be sure.
  return zero ? `${"0".repeat(bytes * 2 - 1)}1` : out;
}

export function newTraceId(): string {
  return randomHex(16);
}

export function newSpanId(): string {
  return randomHex(8);
}

/** UUIDv7 (RFC 9562): 48-bit ms timestamp, then random bits; sortable by creation time. */
export function uuidv7(now: number = Date.now()): string {
  const ts = Math.floor(now).toString(16).padStart(12, "0").slice(-12);
  const at = take(10);
  const r = pool;
  const a = HEX[(r[at]! & 0x0f) | 0x70]! + HEX[r[at + 1]!]!;
  const b = HEX[(r[at + 2]! & 0x3f) | 0x80]! + HEX[r[at + 3]!]!;
  let c = "";
  for (let i = at + 4; i < at + 10; i++) c += HEX[r[i]!];
  return `${ts.slice(0, 8)}-${ts.slice(8)}-${a}-${b}-${c}`;
}
