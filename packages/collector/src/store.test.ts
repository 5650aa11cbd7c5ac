import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type SqliteBackend, sqliteEngine } from "./sqlite.js";
import { openStore, StoreOpenError } from "./store.js";
import { makeBatch, makeEvent, makeTrace } from "./test-events.js";

// node:sqlite loads without a flag from Node 22.13 (and 23.4 on the odd line)
const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
const nodeHasSqlite = major >= 24 || (major === 23 && minor >= 4) || (major === 22 && minor >= 13);

// Listening before anything loads node:sqlite: Node warns once, on the first load in a process.
const sqliteWarnings: string[] = [];
process.on("warning", (w) => {
  if (/SQLite/.test(w.message)) sqliteWarnings.push(`${w.name}: ${w.message}`);
});

describe("SQLite engine", () => {
  it(`is node:sqlite where Node has it, else better-sqlite3 (Node ${process.versions.node})`, () => {
    const store = openStore(":memory:");
    expect(store.backend).toBe(nodeHasSqlite ? "node:sqlite" : "better-sqlite3");
    store.close();
  });

  it("loads node:sqlite exactly when this Node has it, without its ExperimentalWarning", async () => {
    expect(sqliteEngine("node:sqlite")?.backend).toBe(nodeHasSqlite ? "node:sqlite" : undefined);
    await new Promise((resolve) => setImmediate(resolve)); // a warning is emitted on the next tick
    expect(sqliteWarnings).toEqual([]);
  });
});

// The same store semantics on every engine this Node can load (better-sqlite3's addon is built for one Node).
const engines = (["node:sqlite", "better-sqlite3"] as SqliteBackend[]).filter((b) => sqliteEngine(b));

describe.each(engines)("store on %s", (backend) => {
  const open = (path = ":memory:") => openStore(path, sqliteEngine(backend));

  it("stores a batch all or nothing: a failure on a later event rolls back the earlier ones", () => {
    const store = open();
    const first = makeEvent();
    // BigInt makes JSON.stringify throw inside the transaction, after `first` was inserted
    const broken = makeEvent({ traceId: first.traceId, metadata: { n: 1n } });
    expect(() => store.insertBatch(makeBatch([first, broken]), Date.now())).toThrow(/BigInt/);
    expect(store.getTrace(first.traceId)).toEqual([]);
    expect(store.listTraces(10)).toEqual([]);
    // the same id goes in fine afterwards: nothing half-stored marked it as seen
    expect(store.insertBatch(makeBatch([first]), Date.now())).toEqual({ added: [first], duplicates: 0 });
    store.close();
  });

  it("de-duplicates by event id, within a batch and across batches", () => {
    const store = open();
    const a = makeEvent();
    const b = makeEvent({
      traceId: a.traceId,
      parentSpanId: a.spanId,
      kind: "custom",
      startTime: a.startTime + 1,
      endTime: a.startTime + 2,
    });
    expect(store.insertBatch(makeBatch([a, a]), Date.now())).toEqual({ added: [a], duplicates: 1 });
    expect(store.insertBatch(makeBatch([b, a], { dropped: 3 }), Date.now())).toEqual({
      added: [b],
      duplicates: 1,
    });
    expect(store.getTrace(a.traceId)).toEqual([a, b]);
    expect(store.stats()).toEqual({ traces: 1, events: 2, batches: 2, duplicates: 2, dropped: 3 });
    store.close();
  });

  it("lists traces newest first and summarizes one whose root has not arrived after its top-most span", () => {
    const store = open();
    const older = makeEvent({ startTime: 1000, endTime: 2000 });
    const { llm } = makeTrace();
    store.insertBatch(makeBatch([older, llm]), Date.now());
    expect(store.listTraces(10)).toEqual([
      expect.objectContaining({
        traceId: llm.traceId,
        name: "chat gpt-4o-mini",
        hasRoot: false,
        llmCalls: 1,
      }),
      expect.objectContaining({ traceId: older.traceId, hasRoot: true, durationMs: 1000 }),
    ]);
    expect(store.listTraces(1)).toHaveLength(1);
    store.close();
  });

  it("keeps traces in a file across reopening", () => {
    const dir = mkdtempSync(join(tmpdir(), "lumiq-store-"));
    try {
      const path = join(dir, "nested", "traces.sqlite");
      const event = makeEvent();
      const first = open(path);
      first.insertBatch(makeBatch([event]), Date.now());
      first.close();
      const second = open(path);
      expect(second.getTrace(event.traceId)).toEqual([event]);
      expect(second.insertBatch(makeBatch([event]), Date.now())).toEqual({ added: [], duplicates: 1 });
      second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a file that is not a SQLite database, saying so", () => {
    const dir = mkdtempSync(join(tmpdir(), "lumiq-store-"));
    try {
      const path = join(dir, "notes.txt");
      writeFileSync(path, "these are my notes, not a database\n".repeat(100));
      expect(() => open(path)).toThrow(StoreOpenError);
      expect(() => open(path)).toThrow(`cannot use ${path} as the database: file is not a database`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
