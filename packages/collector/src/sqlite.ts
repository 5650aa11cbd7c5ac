// The little of SQLite the store needs, over whichever engine this Node has: the built-in `node:sqlite`
// (Node >= 22.13, no C++ toolchain needed) or `better-sqlite3` (an optional dependency, for Node 20).
// Both are loaded lazily, so importing the collector never fails for want of one.
import { createRequire } from "node:module";

export type SqlValue = string | number | null;

export interface SqliteStatement {
  run(...params: SqlValue[]): { changes: number | bigint };
  get(...params: SqlValue[]): unknown;
  all(...params: SqlValue[]): unknown[];
}

export interface SqliteDatabase {
  exec(sql: string): void;
  prepare(sql: string): SqliteStatement;
  close(): void;
}

export type SqliteBackend = "node:sqlite" | "better-sqlite3";

export interface SqliteEngine {
  backend: SqliteBackend;
  open(path: string): SqliteDatabase;
}

export class SqliteUnavailableError extends Error {
  constructor() {
    super("no SQLite engine: install better-sqlite3 or use Node >= 22.13");
  }
}

type DatabaseConstructor = new (path: string) => SqliteDatabase;

function isSqliteWarning(warning: unknown, typeOrOptions: unknown): boolean {
  const type =
    typeof typeOrOptions === "string"
      ? typeOrOptions
      : ((typeOrOptions as { type?: string } | undefined)?.type ?? (warning as Error | undefined)?.name);
  const text = typeof warning === "string" ? warning : (warning as Error | undefined)?.message;
  return type === "ExperimentalWarning" && /^SQLite is an experimental feature/.test(text ?? "");
}

/** Node's warning on loading `node:sqlite` says nothing a collector user can act on: that one alone is muted. */
function withoutSqliteWarning<T>(load: () => T): T {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: unknown, ...rest: unknown[]) => {
    if (isSqliteWarning(warning, rest[0])) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return load();
  } finally {
    process.emitWarning = emitWarning;
  }
}

function loadNodeSqlite(): SqliteEngine | undefined {
  let mod: { DatabaseSync?: DatabaseConstructor } | undefined;
  try {
    mod = withoutSqliteWarning(
      () => process.getBuiltinModule?.("node:sqlite") as { DatabaseSync?: DatabaseConstructor } | undefined,
    );
  } catch {
    return undefined; // Node 22.5..22.12 without --experimental-sqlite
  }
  const DatabaseSync = mod?.DatabaseSync;
  if (!DatabaseSync) return undefined;
  return { backend: "node:sqlite", open: (path) => new DatabaseSync(path) };
}

function loadBetterSqlite(): SqliteEngine | undefined {
  let Database: DatabaseConstructor;
  try {
    Database = createRequire(import.meta.url)("better-sqlite3") as DatabaseConstructor;
    // its native addon loads on the first open: one built for another Node fails only here
    new Database(":memory:").close();
  } catch {
    return undefined;
  }
  return { backend: "better-sqlite3", open: (path) => new Database(path) };
}

const loaders: Record<SqliteBackend, () => SqliteEngine | undefined> = {
  "node:sqlite": loadNodeSqlite,
  "better-sqlite3": loadBetterSqlite,
};
const loaded = new Map<SqliteBackend, SqliteEngine | undefined>();

/** The engine `backend`, or `undefined` when this Node cannot load it. */
export function sqliteEngine(backend: SqliteBackend): SqliteEngine | undefined {
  if (!loaded.has(backend)) loaded.set(backend, loaders[backend]());
  return loaded.get(backend);
}

/** `node:sqlite` where Node has it, else `better-sqlite3`; throws SqliteUnavailableError when neither loads. */
export function defaultSqliteEngine(): SqliteEngine {
  const engine = sqliteEngine("node:sqlite") ?? sqliteEngine("better-sqlite3");
  if (!engine) throw new SqliteUnavailableError();
  return engine;
}
