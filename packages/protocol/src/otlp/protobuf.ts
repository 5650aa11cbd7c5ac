// OTLP traces as protobuf (`application/x-protobuf`), written by hand from opentelemetry-proto's field
// numbers: no dependency, no `node:` import, so it runs on every runtime. The encoder writes each
// submessage in place (a length byte reserved, the content shifted when it needs more); the decoder
// checks every length and wire type against the bytes it has, so hostile input throws `OtlpDecodeError`
// and nothing else.
import type {
  OtlpAnyValue,
  OtlpEvent,
  OtlpKeyValue,
  OtlpLink,
  OtlpResourceSpans,
  OtlpScopeSpans,
  OtlpSpan,
  OtlpStatus,
  OtlpTracesRequest,
  OtlpTracesResponse,
} from "./model.js";

const VARINT = 0;
const FIXED64 = 1;
const LEN = 2;
const FIXED32 = 5;

// ---------------------------------------------------------------------------------------------- write

interface Writer {
  tag(field: number, wire: number): void;
  uint(n: number): void;
  int64(decimal: string): void;
  fixed64(decimal: string): void;
  double(v: number): void;
  string(s: string): void;
  hexBytes(hex: string): void;
  base64Bytes(b64: string): void;
  /** Starts a length-delimited field's content; `end(start)` writes its length before it. */
  begin(): number;
  end(start: number): void;
  finish(): Uint8Array;
}

const encoder = new TextEncoder();

function createWriter(): Writer {
  let buf = new Uint8Array(4096);
  let view = new DataView(buf.buffer);
  let pos = 0;
  const ensure = (n: number) => {
    if (pos + n <= buf.length) return;
    let size = buf.length * 2;
    while (size < pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(buf.subarray(0, pos));
    buf = next;
    view = new DataView(buf.buffer);
  };
  const uint = (n: number) => {
    ensure(10);
    while (n > 0x7f) {
      buf[pos++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    buf[pos++] = n;
  };
  const varintSize = (n: number) =>
    n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
  const w: Writer = {
    tag: (field, wire) => uint(field * 8 + wire),
    uint,
    int64(decimal) {
      let n = BigInt.asUintN(64, BigInt(decimal)); // negative numbers as two's complement, 10 bytes
      ensure(10);
      while (n > 0x7fn) {
        buf[pos++] = Number(n & 0x7fn) | 0x80;
        n >>= 7n;
      }
      buf[pos++] = Number(n);
    },
    fixed64(decimal) {
      ensure(8);
      view.setBigUint64(pos, BigInt.asUintN(64, BigInt(decimal)), true);
      pos += 8;
    },
    double(v) {
      ensure(8);
      view.setFloat64(pos, v, true);
      pos += 8;
    },
    string(s) {
      const start = w.begin();
      ensure(s.length * 3);
      pos += encoder.encodeInto(s, buf.subarray(pos)).written;
      w.end(start);
    },
    hexBytes(hex) {
      uint(hex.length >> 1);
      ensure(hex.length >> 1);
      for (let i = 0; i + 1 < hex.length; i += 2) buf[pos++] = Number.parseInt(hex.slice(i, i + 2), 16);
    },
    base64Bytes(b64) {
      const bin = atob(b64);
      uint(bin.length);
      ensure(bin.length);
      for (let i = 0; i < bin.length; i++) buf[pos++] = bin.charCodeAt(i);
    },
    begin() {
      ensure(1);
      return pos++; // one byte for the length, enough for content under 128 bytes
    },
    end(start) {
      const length = pos - start - 1;
      const size = varintSize(length);
      if (size > 1) {
        ensure(size - 1);
        buf.copyWithin(start + size, start + 1, pos);
        pos += size - 1;
      }
      let at = start;
      let n = length;
      while (n > 0x7f) {
        buf[at++] = (n & 0x7f) | 0x80;
        n >>>= 7;
      }
      buf[at] = n;
    },
    finish: () => buf.slice(0, pos),
  };
  return w;
}

function message(w: Writer, field: number, write: () => void): void {
  w.tag(field, LEN);
  const start = w.begin();
  write();
  w.end(start);
}

function writeAnyValue(w: Writer, v: OtlpAnyValue): void {
  if ("stringValue" in v) {
    w.tag(1, LEN);
    w.string(v.stringValue);
  } else if ("boolValue" in v) {
    w.tag(2, VARINT);
    w.uint(v.boolValue ? 1 : 0);
  } else if ("intValue" in v) {
    w.tag(3, VARINT);
    w.int64(v.intValue);
  } else if ("doubleValue" in v) {
    w.tag(4, FIXED64);
    w.double(v.doubleValue);
  } else if ("arrayValue" in v) {
    message(w, 5, () => {
      for (const item of v.arrayValue.values) message(w, 1, () => writeAnyValue(w, item));
    });
  } else if ("kvlistValue" in v) {
    message(w, 6, () => {
      for (const kv of v.kvlistValue.values) message(w, 1, () => writeKeyValue(w, kv));
    });
  } else if ("bytesValue" in v) {
    w.tag(7, LEN);
    w.base64Bytes(v.bytesValue);
  }
}

function writeKeyValue(w: Writer, kv: OtlpKeyValue): void {
  w.tag(1, LEN);
  w.string(kv.key);
  message(w, 2, () => writeAnyValue(w, kv.value));
}

function writeAttributes(w: Writer, field: number, attributes: OtlpKeyValue[]): void {
  for (const kv of attributes) message(w, field, () => writeKeyValue(w, kv));
}

function writeSpan(w: Writer, s: OtlpSpan): void {
  w.tag(1, LEN);
  w.hexBytes(s.traceId);
  w.tag(2, LEN);
  w.hexBytes(s.spanId);
  if (s.parentSpanId) {
    w.tag(4, LEN);
    w.hexBytes(s.parentSpanId);
  }
  w.tag(5, LEN);
  w.string(s.name);
  if (s.kind) {
    w.tag(6, VARINT);
    w.uint(s.kind);
  }
  w.tag(7, FIXED64);
  w.fixed64(s.startTimeUnixNano);
  w.tag(8, FIXED64);
  w.fixed64(s.endTimeUnixNano);
  writeAttributes(w, 9, s.attributes);
  for (const e of s.events) {
    message(w, 11, () => {
      w.tag(1, FIXED64);
      w.fixed64(e.timeUnixNano);
      w.tag(2, LEN);
      w.string(e.name);
      writeAttributes(w, 3, e.attributes);
    });
  }
  for (const l of s.links) {
    message(w, 13, () => {
      w.tag(1, LEN);
      w.hexBytes(l.traceId);
      w.tag(2, LEN);
      w.hexBytes(l.spanId);
      writeAttributes(w, 4, l.attributes);
    });
  }
  message(w, 15, () => {
    if (s.status.message) {
      w.tag(2, LEN);
      w.string(s.status.message);
    }
    if (s.status.code) {
      w.tag(3, VARINT);
      w.uint(s.status.code);
    }
  });
}

/** An `ExportTraceServiceRequest` as protobuf bytes. */
export function encodeTracesRequest(request: OtlpTracesRequest): Uint8Array {
  const w = createWriter();
  for (const rs of request.resourceSpans) {
    message(w, 1, () => {
      message(w, 1, () => writeAttributes(w, 1, rs.resource.attributes));
      for (const ss of rs.scopeSpans) {
        message(w, 2, () => {
          message(w, 1, () => {
            w.tag(1, LEN);
            w.string(ss.scope.name);
            if (ss.scope.version) {
              w.tag(2, LEN);
              w.string(ss.scope.version);
            }
          });
          for (const span of ss.spans) message(w, 2, () => writeSpan(w, span));
        });
      }
    });
  }
  return w.finish();
}

/** An `ExportTraceServiceResponse` as protobuf bytes (what a receiver answers). */
export function encodeTracesResponse(response: OtlpTracesResponse): Uint8Array {
  const w = createWriter();
  const p = response.partialSuccess;
  if (p) {
    message(w, 1, () => {
      w.tag(1, VARINT);
      w.int64(p.rejectedSpans);
      if (p.errorMessage) {
        w.tag(2, LEN);
        w.string(p.errorMessage);
      }
    });
  }
  return w.finish();
}

// ----------------------------------------------------------------------------------------------- read

export class OtlpDecodeError extends Error {}

const decoder = new TextDecoder();
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
/** Nesting of AnyValue (arrays, kvlists) beyond this is refused: a hostile body could recurse forever. */
const MAX_VALUE_DEPTH = 32;

interface Reader {
  more(): boolean;
  /** The next field's number and wire type. */
  field(): [number, number];
  uint(): number;
  int64(): string;
  fixed64(): string;
  double(): number;
  /** A length-delimited field: its bytes as a reader. */
  sub(): Reader;
  string(): string;
  hex(): string;
  base64(): string;
  skip(wire: number): void;
}

function createReader(bytes: Uint8Array, start = 0, end = bytes.length): Reader {
  let pos = start;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (n: number) => {
    if (pos + n > end) throw new OtlpDecodeError("truncated message");
  };
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      need(1);
      const b = bytes[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return result;
    }
    throw new OtlpDecodeError("varint too long");
  };
  const length = (): number => {
    const n = varint();
    if (n > BigInt(end - pos)) throw new OtlpDecodeError("length past the end of the message");
    return Number(n);
  };
  const r: Reader = {
    more: () => pos < end,
    field() {
      const tag = Number(varint());
      const field = tag >>> 3;
      if (field === 0) throw new OtlpDecodeError("field number 0");
      return [field, tag & 7];
    },
    uint: () => Number(BigInt.asUintN(64, varint())),
    int64: () => BigInt.asIntN(64, varint()).toString(),
    fixed64() {
      need(8);
      const v = view.getBigUint64(pos, true);
      pos += 8;
      return v.toString();
    },
    double() {
      need(8);
      const v = view.getFloat64(pos, true);
      pos += 8;
      return v;
    },
    sub() {
      const n = length();
      const child = createReader(bytes, pos, pos + n);
      pos += n;
      return child;
    },
    string() {
      const n = length();
      const s = decoder.decode(bytes.subarray(pos, pos + n));
      pos += n;
      return s;
    },
    hex() {
      const n = length();
      let s = "";
      for (let i = pos; i < pos + n; i++) s += HEX[bytes[i]!];
      pos += n;
      return s;
    },
    base64() {
      const n = length();
      let bin = "";
      for (let i = pos; i < pos + n; i++) bin += String.fromCharCode(bytes[i]!);
      pos += n;
      return btoa(bin);
    },
    skip(wire) {
      if (wire === VARINT) varint();
      else if (wire === LEN) pos += length();
      else if (wire === FIXED64 || wire === FIXED32) {
        const n = wire === FIXED64 ? 8 : 4;
        need(n);
        pos += n;
      } else throw new OtlpDecodeError(`unsupported wire type ${wire}`);
    },
  };
  return r;
}

/** A message's fields by number: the wire type each must have, and what to do with it. */
type Fields = Record<number, [wire: number, take: () => unknown]>;

/** Reads a message field by field; fields it does not know are skipped, a known one of the wrong type throws. */
function readFields(r: Reader, what: string, fields: Fields): void {
  while (r.more()) {
    const [field, wire] = r.field();
    const known = fields[field];
    if (!known) {
      r.skip(wire);
      continue;
    }
    if (wire !== known[0])
      throw new OtlpDecodeError(`${what} field ${field}: wire type ${wire}, expected ${known[0]}`);
    known[1]();
  }
}

function readAnyValue(r: Reader, depth: number): OtlpAnyValue {
  if (depth > MAX_VALUE_DEPTH) throw new OtlpDecodeError("attribute values nested too deep");
  let value: OtlpAnyValue = { stringValue: "" };
  readFields(r, "AnyValue", {
    1: [LEN, () => (value = { stringValue: r.string() })],
    2: [VARINT, () => (value = { boolValue: r.uint() !== 0 })],
    3: [VARINT, () => (value = { intValue: r.int64() })],
    4: [FIXED64, () => (value = { doubleValue: r.double() })],
    5: [
      LEN,
      () =>
        (value = {
          arrayValue: { values: readList(r.sub(), "ArrayValue", (x) => readAnyValue(x, depth + 1)) },
        }),
    ],
    6: [
      LEN,
      () =>
        (value = {
          kvlistValue: { values: readList(r.sub(), "KeyValueList", (x) => readKeyValue(x, depth + 1)) },
        }),
    ],
    7: [LEN, () => (value = { bytesValue: r.base64() })],
  });
  return value;
}

/** `repeated T values = 1`: ArrayValue and KeyValueList. */
function readList<T>(r: Reader, what: string, readOne: (r: Reader) => T): T[] {
  const out: T[] = [];
  readFields(r, what, { 1: [LEN, () => out.push(readOne(r.sub()))] });
  return out;
}

function readKeyValue(r: Reader, depth = 0): OtlpKeyValue {
  const kv: OtlpKeyValue = { key: "", value: { stringValue: "" } };
  readFields(r, "KeyValue", {
    1: [LEN, () => (kv.key = r.string())],
    2: [LEN, () => (kv.value = readAnyValue(r.sub(), depth + 1))],
  });
  return kv;
}

function readEvent(r: Reader): OtlpEvent {
  const e: OtlpEvent = { timeUnixNano: "0", name: "", attributes: [] };
  readFields(r, "Event", {
    1: [FIXED64, () => (e.timeUnixNano = r.fixed64())],
    2: [LEN, () => (e.name = r.string())],
    3: [LEN, () => e.attributes.push(readKeyValue(r.sub()))],
  });
  return e;
}

function readLink(r: Reader): OtlpLink {
  const l: OtlpLink = { traceId: "", spanId: "", attributes: [] };
  readFields(r, "Link", {
    1: [LEN, () => (l.traceId = r.hex())],
    2: [LEN, () => (l.spanId = r.hex())],
    4: [LEN, () => l.attributes.push(readKeyValue(r.sub()))],
  });
  return l;
}

function readStatus(r: Reader): OtlpStatus {
  const status: OtlpStatus = { code: 0 };
  readFields(r, "Status", {
    2: [LEN, () => (status.message = r.string())],
    3: [VARINT, () => (status.code = r.uint())],
  });
  return status;
}

function readSpan(r: Reader): OtlpSpan {
  const s: OtlpSpan = {
    traceId: "",
    spanId: "",
    name: "",
    kind: 0,
    startTimeUnixNano: "0",
    endTimeUnixNano: "0",
    attributes: [],
    events: [],
    links: [],
    status: { code: 0 },
  };
  readFields(r, "Span", {
    1: [LEN, () => (s.traceId = r.hex())],
    2: [LEN, () => (s.spanId = r.hex())],
    4: [LEN, () => (s.parentSpanId = r.hex())],
    5: [LEN, () => (s.name = r.string())],
    6: [VARINT, () => (s.kind = r.uint())],
    7: [FIXED64, () => (s.startTimeUnixNano = r.fixed64())],
    8: [FIXED64, () => (s.endTimeUnixNano = r.fixed64())],
    9: [LEN, () => s.attributes.push(readKeyValue(r.sub()))],
    11: [LEN, () => s.events.push(readEvent(r.sub()))],
    13: [LEN, () => s.links.push(readLink(r.sub()))],
    15: [LEN, () => (s.status = readStatus(r.sub()))],
  });
  return s;
}

function readScope(r: Reader): OtlpScopeSpans["scope"] {
  const scope: OtlpScopeSpans["scope"] = { name: "" };
  readFields(r, "InstrumentationScope", {
    1: [LEN, () => (scope.name = r.string())],
    2: [LEN, () => (scope.version = r.string())],
  });
  return scope;
}

function readScopeSpans(r: Reader): OtlpScopeSpans {
  const ss: OtlpScopeSpans = { scope: { name: "" }, spans: [] };
  readFields(r, "ScopeSpans", {
    1: [LEN, () => (ss.scope = readScope(r.sub()))],
    2: [LEN, () => ss.spans.push(readSpan(r.sub()))],
  });
  return ss;
}

function readResourceSpans(r: Reader): OtlpResourceSpans {
  const rs: OtlpResourceSpans = { resource: { attributes: [] }, scopeSpans: [] };
  readFields(r, "ResourceSpans", {
    1: [LEN, () => (rs.resource.attributes = readList(r.sub(), "Resource", (x) => readKeyValue(x)))],
    2: [LEN, () => rs.scopeSpans.push(readScopeSpans(r.sub()))],
  });
  return rs;
}

/** Decodes an `ExportTraceServiceRequest`; throws `OtlpDecodeError` for bytes that are not one. */
export function decodeTracesRequest(bytes: Uint8Array): OtlpTracesRequest {
  const request: OtlpTracesRequest = { resourceSpans: [] };
  try {
    const r = createReader(bytes);
    readFields(r, "ExportTraceServiceRequest", {
      1: [LEN, () => request.resourceSpans.push(readResourceSpans(r.sub()))],
    });
  } catch (error) {
    if (error instanceof OtlpDecodeError) throw error;
    throw new OtlpDecodeError(`not an OTLP traces request: ${(error as Error).message}`);
  }
  return request;
}

/** Decodes an `ExportTraceServiceResponse` (what a receiver answered); an empty body is full success. */
export function decodeTracesResponse(bytes: Uint8Array): OtlpTracesResponse {
  const response: OtlpTracesResponse = {};
  const r = createReader(bytes);
  readFields(r, "ExportTraceServiceResponse", {
    1: [
      LEN,
      () => {
        const sub = r.sub();
        const p: NonNullable<OtlpTracesResponse["partialSuccess"]> = { rejectedSpans: "0" };
        readFields(sub, "ExportTracePartialSuccess", {
          1: [VARINT, () => (p.rejectedSpans = sub.int64())],
          2: [LEN, () => (p.errorMessage = sub.string())],
        });
        response.partialSuccess = p;
      },
    ],
  });
  return response;
}
