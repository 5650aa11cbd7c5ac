import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Batch, SpanEvent } from "@lumiqtrace/protocol";
import type { Stats, TraceSummary } from "./api.js";
import { summarize } from "./trace.js";
import { defaultSqliteEngine, type SqliteBackend, type SqliteDatabase, type SqliteEngine } from "./sqlite.js";

export interface StoredBatch {
  /** events stored for the first time, in batch order */
  added: SpanEvent[];
  duplicates: number;
}

export interface Store {
  /** the SQLite engine in use */
  backend: SqliteBackend;
  /** Stores a whole batch in one transaction: all of it or, if anything throws, none of it. */
  insertBatch(batch: Batch, receivedAt: number): StoredBatch;
  listTraces(limit: number): TraceSummary[];
  stats(): Stats;
  getTrace(traceId: string): SpanEvent[];
  close(): void;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  id TEXT PRIMARY KEY,
  trace_id TEXT NOT NULL,
  span_id TEXT NOT NULL,
  parent_span_id TEXT,
  kind TEXT NOT NULL,
  start_time REAL NOT NULL,
  received_at REAL NOT NULL,
  json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_trace ON events (trace_id, start_time);
CREATE TABLE IF NOT EXISTS batches (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  received_at REAL NOT NULL,
  sdk TEXT NOT NULL,
  sent_at REAL NOT NULL,
  dropped INTEGER NOT NULL,
  event_count INTEGER NOT NULL,
  duplicates INTEGER NOT NULL
);
`;

/** The database file cannot be opened or is not a SQLite database (the message says which and why). */
export class StoreOpenError extends Error {}

/** Runs `work` in one transaction: committed if it returns, rolled back if it throws. */
function inTransaction<T>(db: SqliteDatabase, work: () => T): T {
  db.exec("BEGIN");
  try {
    const result = work();
    db.exec("COMMIT");
    return result;
  } catch (err) {
    db.exec("ROLLBACK");
    throw err;
  }
}

function openDatabase(engine: SqliteEngine, path: string): SqliteDatabase {
  let db: SqliteDatabase | undefined;
  try {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    db = engine.open(path);
    if (path !== ":memory:") db.exec("PRAGMA journal_mode = WAL");
    db.exec(SCHEMA);
    return db;
  } catch (err) {
    db?.close();
    throw new StoreOpenError(`cannot use ${path} as the database: ${(err as Error).message}`);
  }
}

/**
 * Opens (and creates) the SQLite database; `":memory:"` keeps everything in this process. `engine` defaults
 * to `node:sqlite` where Node has it, else `better-sqlite3`.
 */
export function openStore(path: string, engine: SqliteEngine = defaultSqliteEngine()): Store {
  const db = openDatabase(engine, path);

  const insertEvent = db.prepare(
    `INSERT OR IGNORE INTO events (id, trace_id, span_id, parent_span_id, kind, start_time, received_at, json)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertBatchRow = db.prepare(
    "INSERT INTO batches (received_at, sdk, sent_at, dropped, event_count, duplicates) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const selectTrace = db.prepare("SELECT json FROM events WHERE trace_id = ? ORDER BY start_time, rowid");
  const selectRecent = db.prepare(
    "SELECT trace_id, MIN(start_time) AS start FROM events GROUP BY trace_id ORDER BY start DESC LIMIT ?",
  );

  const selectEventTotals = db.prepare(
    "SELECT COUNT(DISTINCT trace_id) AS traces, COUNT(*) AS events FROM events",
  );
  const selectBatchTotals = db.prepare(
    "SELECT COUNT(*) AS batches, SUM(duplicates) AS duplicates, SUM(dropped) AS dropped FROM batches",
  );

  const insertBatch = (batch: Batch, receivedAt: number): StoredBatch =>
    inTransaction(db, () => {
      const added: SpanEvent[] = [];
      for (const e of batch.events) {
        const r = insertEvent.run(
          e.id,
          e.traceId,
          e.spanId,
          e.parentSpanId,
          e.kind,
          e.startTime,
          receivedAt,
          JSON.stringify(e),
        );
        if (Number(r.changes) === 1) added.push(e);
      }
      const duplicates = batch.events.length - added.length;
      insertBatchRow.run(
        receivedAt,
        `${batch.sdk.name}/${batch.sdk.version}`,
        batch.sentAt,
        batch.dropped,
        batch.events.length,
        duplicates,
      );
      return { added, duplicates };
    });

  const getTrace = (traceId: string): SpanEvent[] =>
    (selectTrace.all(traceId) as Array<{ json: string }>).map((r) => JSON.parse(r.json) as SpanEvent);

  return {
    backend: engine.backend,
    insertBatch,
    getTrace,
    listTraces(limit) {
      const rows = selectRecent.all(limit) as Array<{ trace_id: string }>;
      return rows.map((r) => summarize(r.trace_id, getTrace(r.trace_id)));
    },
    stats() {
      const e = selectEventTotals.get() as { traces: number; events: number };
      const b = selectBatchTotals.get() as {
        batches: number;
        duplicates: number | null;
        dropped: number | null;
      };
      return {
        traces: e.traces,
        events: e.events,
        batches: b.batches,
        duplicates: b.duplicates ?? 0,
        dropped: b.dropped ?? 0,
      };
    },
    close: () => db.close(),
  };
}
