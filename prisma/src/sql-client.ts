import type { PGlite, Transaction } from "@electric-sql/pglite";
import type pg from "pg";

/**
 * The little raw-SQL surface the project needs besides Prisma: the migration
 * runner (multi-statement files, one transaction each), the seed, and the
 * tools that stream large tables. Implemented for both drivers so every caller
 * works the same on PGlite and on PostgreSQL.
 */
export interface SqlClient {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Runs a script that may hold several statements (no parameters). */
  exec(script: string): Promise<void>;
  /** Runs `work` in one transaction on one connection; rolls back if it throws. */
  transaction<T>(work: (tx: SqlClient) => Promise<T>): Promise<T>;
}

export function pgliteSqlClient(db: PGlite | Transaction): SqlClient {
  return {
    async query<Row>(sql: string, params?: unknown[]) {
      return (await db.query<Row>(sql, params)).rows;
    },
    async exec(script) {
      await db.exec(script);
    },
    async transaction(work) {
      if (!("transaction" in db)) return work(pgliteSqlClient(db)); // already inside one
      return db.transaction(async (tx) => {
        // PGlite has one connection, but the isolation level is stated as on PostgreSQL.
        await tx.query("SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
        return work(pgliteSqlClient(tx));
      });
    },
  };
}

function pgClientSqlClient(client: pg.PoolClient): SqlClient {
  return {
    async query<Row>(sql: string, params?: unknown[]) {
      return (await client.query(sql, params)).rows as Row[];
    },
    async exec(script) {
      // Without parameters, pg uses the simple query protocol, which accepts several statements.
      await client.query(script);
    },
    transaction: (work) => work(pgClientSqlClient(client)), // nested: reuse the open transaction
  };
}

/**
 * Raw SQL on a node-postgres pool. `afterBegin` (e.g. `SET LOCAL
 * statement_timeout = 5000`) is sent with each transaction's BEGIN, in the
 * same round trip.
 */
export function pgPoolSqlClient(pool: pg.Pool, afterBegin?: string): SqlClient {
  // Without parameters, pg uses the simple query protocol, which accepts several statements.
  const begin = `BEGIN ISOLATION LEVEL READ COMMITTED${afterBegin ? `; ${afterBegin}` : ""}`;
  return {
    async query<Row>(sql: string, params?: unknown[]) {
      return (await pool.query(sql, params)).rows as Row[];
    },
    async exec(script) {
      await pool.query(script);
    },
    async transaction(work) {
      const client = await pool.connect();
      // A connection whose ROLLBACK failed is in an unknown state (still in the
      // transaction, or dead): release(error) destroys it instead of handing it
      // to the next caller.
      let broken: Error | undefined;
      // The server may end a session while it is checked out (idle_in_transaction_session_timeout,
      // an operator's pg_terminate_backend): pg then emits "error" on the client, which the pool
      // only listens for on idle clients. Unheard, it would crash the process.
      const onError = (error: Error) => {
        broken = error;
      };
      client.on("error", onError);
      try {
        // Pinned, not inherited from the server's default: the stock SQL relies on
        // READ COMMITTED re-checking a waiting UPDATE's condition against the newest row.
        await client.query(begin);
        const result = await work(pgClientSqlClient(client));
        await client.query("COMMIT");
        return result;
      } catch (error) {
        try {
          await client.query("ROLLBACK");
        } catch (rollbackError) {
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        }
        throw error;
      } finally {
        client.off("error", onError);
        client.release(broken);
      }
    },
  };
}

/** The same client, telling `onQuery` the SQL of every statement it sends (tests count queries with it). */
export function observedSqlClient(client: SqlClient, onQuery: (sql: string) => void): SqlClient {
  return {
    query(sql, params) {
      onQuery(sql);
      return client.query(sql, params);
    },
    exec(script) {
      onQuery(script);
      return client.exec(script);
    },
    transaction: (work) => client.transaction((tx) => work(observedSqlClient(tx, onQuery))),
  };
}
