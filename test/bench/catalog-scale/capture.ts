import pg from "pg";

/** One statement as Prisma sent it: its SQL text and its bound parameter values. */
export interface CapturedStatement {
  text: string;
  values: unknown[];
}

let capturing: CapturedStatement[] | undefined;

/**
 * Records the statements Prisma sends while `during` runs, with their
 * parameters. The service's `database.onQuery` hook gets the SQL text only,
 * and an EXPLAIN of a hand-written look-alike could differ from what the
 * resolvers really run (Prisma's joins, casts and sub-selects), so the bench
 * wraps pg's `Client#query` in this process instead (the in-process service
 * shares the `pg` module) and EXPLAINs exactly those statements. Prisma's
 * adapter queries with a `{ text, values, rowMode: "array" }` config, which
 * tells its statements from the bench's own. Off while latencies are measured.
 */
export async function captureStatements(during: () => Promise<unknown>): Promise<CapturedStatement[]> {
  if (!installed) throw new Error("installStatementCapture() must run before the service opens its pool");
  const statements: CapturedStatement[] = [];
  capturing = statements;
  try {
    await during();
  } finally {
    capturing = undefined;
  }
  return statements;
}

let installed = false;

/**
 * Wraps `Client#query` (a no-op unless capturing). Call before the service
 * starts: the pool's statement counter binds each connection's `query` when
 * the connection opens, so a later wrap would not see the pool's statements.
 */
export function installStatementCapture() {
  if (installed) return;
  installed = true;
  const original = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const config = args[0] as { text?: unknown; values?: unknown; rowMode?: unknown } | undefined;
    if (capturing && config && typeof config.text === "string" && config.rowMode === "array") {
      capturing.push({ text: config.text, values: Array.isArray(config.values) ? [...config.values] : [] });
    } else if (capturing && typeof args[0] === "string") {
      // The service's raw SQL (e.g. totalUpTo's count): query(text, values, callback).
      capturing.push({ text: args[0], values: Array.isArray(args[1]) ? [...args[1]] : [] });
    }
    return original.apply(this, args);
  } as typeof pg.Client.prototype.query;
}
