import { type Connection, openConnection } from "@emshop/db/open-database";
import { afterEach, describe, expect, it } from "vitest";
import { createTestDatabase, onPostgres, type TestDatabase } from "../support/test-database";

const POSTGRES_ONLY = "(PostgreSQL only: PGlite has no pool, no server-side timeouts)";

describe("database connections", () => {
  let database: TestDatabase | undefined;
  let connection: Connection | undefined;
  afterEach(async () => {
    await connection?.close();
    await database?.drop();
    connection = undefined;
    database = undefined;
  });

  async function open(options: Parameters<typeof openConnection>[1] = {}) {
    database = await createTestDatabase("sqlclient");
    connection = await openConnection("inventory", { url: database.url, ...options });
    return connection;
  }

  it("runs every transaction READ COMMITTED, whatever the database's default", async () => {
    const { sql } = await open();
    // The stock SQL relies on READ COMMITTED re-checking conditions; a server default must not change that.
    if (onPostgres)
      await sql.exec(
        `ALTER DATABASE "${new URL(database?.url ?? "").pathname.slice(1)}" SET default_transaction_isolation = 'serializable'`,
      );
    await connection?.close();
    connection = await openConnection("inventory", { url: database?.url ?? "" });
    const [level] = await connection.sql.transaction((tx) =>
      tx.query<{ transaction_isolation: string }>("SHOW transaction_isolation"),
    );
    expect(level?.transaction_isolation).toBe("read committed");
    if (onPostgres) {
      const [outside] = await connection.sql.query<{ transaction_isolation: string }>("SHOW transaction_isolation");
      expect(outside?.transaction_isolation).toBe("serializable"); // the default did apply: the pin is what held
    }
  });

  it("rolls back a failed transaction and keeps the connection usable", async () => {
    const { sql } = await open();
    await sql.exec("CREATE TABLE t (id int PRIMARY KEY)");
    await expect(
      sql.transaction(async (tx) => {
        await tx.query("INSERT INTO t VALUES (1)");
        throw new Error("abandon");
      }),
    ).rejects.toThrow("abandon");
    expect(await sql.query("SELECT * FROM t")).toEqual([]);
  });

  it.skipIf(!onPostgres)(`destroys a connection whose ROLLBACK failed ${POSTGRES_ONLY}`, async () => {
    const { sql } = await open({ poolSize: 1 });
    const [before] = await sql.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    // The server ends this very session mid-transaction: ROLLBACK cannot run on it any more.
    await expect(sql.transaction((tx) => tx.query("SELECT pg_terminate_backend(pg_backend_pid())"))).rejects.toThrow();
    // With the one pooled connection released as broken, the next query gets a fresh session that works.
    const [after] = await sql.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    expect(after?.pid).toEqual(expect.any(Number));
    expect(after?.pid).not.toBe(before?.pid);
  });

  it.skipIf(!onPostgres)(`stops a statement at statement_timeout, not when it is done ${POSTGRES_ONLY}`, async () => {
    const { sql } = await open({ statementTimeoutMs: 300 });
    const started = performance.now();
    await expect(sql.query("SELECT pg_sleep(5)")).rejects.toMatchObject({ code: "57014" }); // query_canceled
    expect(performance.now() - started).toBeLessThan(3000);
    expect(await sql.query("SELECT 1 AS one")).toEqual([{ one: 1 }]);
  });

  it.skipIf(!onPostgres)(`fails a query that waits too long for a pooled connection ${POSTGRES_ONLY}`, async () => {
    const { sql } = await open({ poolSize: 1, connectTimeoutMs: 300, statementTimeoutMs: 0 });
    const holding = sql.query("SELECT pg_sleep(2)");
    const started = performance.now();
    await expect(sql.query("SELECT 1")).rejects.toThrow(/timeout/i);
    expect(performance.now() - started).toBeLessThan(1500);
    await holding;
  });

  it.skipIf(!onPostgres)(`ends a session left idle inside a transaction ${POSTGRES_ONLY}`, async () => {
    const { sql } = await open({ idleInTransactionTimeoutMs: 300 });
    await expect(
      sql.transaction(async (tx) => {
        await tx.query("SELECT 1");
        await new Promise((resolve) => setTimeout(resolve, 1000)); // a stuck caller holding a transaction open
        await tx.query("SELECT 1");
      }),
    ).rejects.toThrow();
    expect(await sql.query("SELECT 1 AS one")).toEqual([{ one: 1 }]);
  });
});
