import net from "node:net";
import { isDatabaseUnavailable, sqlStateOf } from "@emshop/common/database-unavailable";
import { formatError } from "@emshop/common/format-error";
import { type GoodsDb, openGoodsDb } from "@emshop/db/goods";
import { migrate } from "@emshop/db/migrate";
import { GraphQLError } from "graphql";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { adminUrl, createTestDatabase, onPostgres, type TestDatabase } from "../support/test-database";
import { startTcpProxy, type TcpProxy } from "./support/tcp-proxy";

/**
 * The classifier behind DATABASE_UNAVAILABLE (subgraphs/common/src/database-unavailable.ts),
 * fed the errors Prisma 7 (with @prisma/adapter-pg) and node-postgres really
 * throw: no server at the port, a pool with no connection free, a backend
 * terminated mid-statement, a connection cut or reset on the wire, a
 * read-only transaction, a database out of connection slots. And what it must
 * not take for one: constraint violations, syntax errors, a statement timeout.
 */

/** The error `work` rejects with (fails if it resolves). */
async function errorOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error("expected the work to fail");
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A server that accepts connections and never answers: connecting times out. */
async function blackHole(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const quiet = { onIdleError: () => undefined };

describe("isDatabaseUnavailable: no server, or no connection in time (real errors)", () => {
  it("no server at the port (ECONNREFUSED): Prisma's P1001 and pg's socket error", async () => {
    const db = await openGoodsDb({ url: `postgresql://shop:secret@127.0.0.1:${await closedPort()}/goods`, ...quiet });
    try {
      const prisma = await errorOf(() => db.prisma.brand.findMany());
      expect(prisma).toMatchObject({ name: "PrismaClientKnownRequestError", code: "P1001" });
      expect(isDatabaseUnavailable(prisma)).toBe(true);
      const inTransaction = await errorOf(() => db.prisma.$transaction((tx) => tx.brand.count()));
      expect(isDatabaseUnavailable(inTransaction)).toBe(true);
      const raw = await errorOf(() => db.sql.query("SELECT 1"));
      expect(raw).toMatchObject({ code: "ECONNREFUSED" });
      expect(isDatabaseUnavailable(raw)).toBe(true);
      expect(isDatabaseUnavailable(await errorOf(() => db.sql.transaction((tx) => tx.query("SELECT 1"))))).toBe(true);
    } finally {
      await db.close();
    }
  });

  it("a server that never answers: the connect timeout, through Prisma and raw SQL", async () => {
    const hole = await blackHole();
    const db = await openGoodsDb({
      url: `postgresql://postgres@127.0.0.1:${hole.port}/goods`,
      connectTimeoutMs: 200,
      ...quiet,
    });
    try {
      const prisma = await errorOf(() => db.prisma.brand.count());
      const raw = await errorOf(() => db.sql.query("SELECT 1"));
      expect(String((raw as Error).message)).toMatch(/timeout/);
      expect(isDatabaseUnavailable(prisma)).toBe(true);
      expect(isDatabaseUnavailable(raw)).toBe(true);
    } finally {
      await db.close();
      await hole.close();
    }
  });
});

// Without PostgreSQL it is skipped, saying why; on CI its absence is a failure, not a skip.
describe.skipIf(!onPostgres && !process.env.CI)(
  "isDatabaseUnavailable on PostgreSQL (real errors; PostgreSQL only: a server to break)",
  () => {
    if (!onPostgres) {
      it("needs PostgreSQL on CI (TEST_DATABASE_URL)", () => expect.fail("TEST_DATABASE_URL is not set"));
      return;
    }
    let database: TestDatabase;
    let db: GoodsDb;
    let admin: pg.Client;

    beforeAll(async () => {
      database = await createTestDatabase("unavailable");
      db = await openGoodsDb({ url: database.url, ...quiet });
      await migrate(db.sql, "goods");
      admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
    });
    afterAll(async () => {
      await admin?.end();
      await db?.close();
      await database?.drop();
    });

    /** Terminates whichever backend runs `pg_sleep(<marker>)` as soon as it does. */
    async function terminateWhenRunning(marker: number) {
      for (let attempt = 0; attempt < 200; attempt++) {
        const { rows } = await admin.query(
          "SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE query LIKE $1 AND pid <> pg_backend_pid()",
          [`%pg_sleep(${marker})%`],
        );
        if (rows.length > 0) return;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error(`no backend ran pg_sleep(${marker})`);
    }

    it("a backend terminated mid-statement (57P01): Prisma, raw SQL, raw SQL in a transaction", async () => {
      const cases: [string, (sleep: string) => Promise<unknown>][] = [
        ["prisma", (sleep) => db.prisma.$queryRawUnsafe(`SELECT ${sleep}`)],
        ["prisma transaction", (sleep) => db.prisma.$transaction((tx) => tx.$queryRawUnsafe(`SELECT ${sleep}`))],
        ["raw", (sleep) => db.sql.query(`SELECT ${sleep}`)],
        ["raw transaction", (sleep) => db.sql.transaction((tx) => tx.query(`SELECT ${sleep}`))],
      ];
      let marker = 3.001;
      for (const [label, run] of cases) {
        marker += 0.001;
        const sleep = `pg_sleep(${marker})`;
        const failed = errorOf(() => run(sleep));
        await terminateWhenRunning(marker);
        const error = await failed;
        expect(sqlStateOf(error), label).toBe("57P01");
        expect(isDatabaseUnavailable(error), label).toBe(true);
      }
    });

    it("the pool has no connection free within the connect timeout", async () => {
      const small = await openGoodsDb({ url: database.url, poolSize: 1, connectTimeoutMs: 100, ...quiet });
      try {
        const busy = small.sql.query("SELECT pg_sleep(0.5)");
        const prisma = await errorOf(() => small.prisma.brand.count());
        const raw = await errorOf(() => small.sql.query("SELECT 1"));
        await busy;
        expect((raw as Error).message).toBe("timeout exceeded when trying to connect");
        expect(isDatabaseUnavailable(prisma)).toBe(true);
        expect(isDatabaseUnavailable(raw)).toBe(true);
      } finally {
        await small.close();
      }
    });

    describe("the connection breaks on the wire (HAProxy or PgBouncer going away)", () => {
      let proxy: TcpProxy;
      let through: GoodsDb;
      beforeAll(async () => {
        const url = new URL(database.url);
        proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
        through = await openGoodsDb({ url: proxy.urlOf(database.url), ...quiet });
      });
      afterAll(async () => {
        await through?.close();
        await proxy?.close();
      });

      const broken = async (label: string, breakIt: () => void, run: () => Promise<unknown>) => {
        const failed = errorOf(run);
        for (let wait = 0; proxy.connections === 0; wait++) {
          if (wait > 200) throw new Error(`${label}: nothing connected`);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
        breakIt();
        return failed;
      };

      it('cut: "Connection terminated unexpectedly", through Prisma and raw SQL', async () => {
        const prisma = await broken("prisma", proxy.cut, () => through.prisma.$queryRawUnsafe("SELECT pg_sleep(1)"));
        const raw = await broken("raw", proxy.cut, () => through.sql.query("SELECT pg_sleep(1)"));
        const tx = await broken("tx", proxy.cut, () => through.sql.transaction((t) => t.query("SELECT pg_sleep(1)")));
        for (const error of [prisma, raw, tx]) {
          expect((error as Error).message).toMatch(/Connection terminated unexpectedly/);
          expect(isDatabaseUnavailable(error)).toBe(true);
        }
      });

      it("reset: ECONNRESET", async () => {
        const raw = await broken("raw", proxy.reset, () => through.sql.query("SELECT pg_sleep(1)"));
        expect(raw).toMatchObject({ code: "ECONNRESET" });
        expect(isDatabaseUnavailable(raw)).toBe(true);
        const prisma = await broken("prisma", proxy.reset, () => through.prisma.$queryRawUnsafe("SELECT pg_sleep(1)"));
        expect(isDatabaseUnavailable(prisma)).toBe(true);
      });
    });

    it("a write reaching a read-only server (25006, a demoted primary right after a failover)", async () => {
      const prisma = await errorOf(() =>
        db.prisma.$transaction(async (tx) => {
          await tx.$executeRawUnsafe("SET TRANSACTION READ ONLY");
          await tx.brand.create({ data: { name: "never", logo: "" } });
        }),
      );
      const raw = await errorOf(() =>
        db.sql.transaction(async (tx) => {
          await tx.query("SET TRANSACTION READ ONLY");
          await tx.query("INSERT INTO brand (name, logo) VALUES ('never', '')");
        }),
      );
      for (const error of [prisma, raw]) {
        expect(sqlStateOf(error)).toBe("25006");
        expect(isDatabaseUnavailable(error)).toBe(true);
      }
    });

    it("no connection slot left (53300 too_many_connections)", async () => {
      // Superusers are exempt from connection limits: a role of its own, allowed one connection.
      const role = `emshop_test_limited_${process.pid}`;
      await admin.query(`CREATE ROLE ${role} LOGIN CONNECTION LIMIT 1`);
      const url = new URL(database.url);
      url.username = role;
      const holder = new pg.Client({ connectionString: url.toString() });
      const other = await openGoodsDb({ url: url.toString(), ...quiet });
      try {
        await holder.connect();
        const prisma = await errorOf(() => other.prisma.$queryRawUnsafe("SELECT 1"));
        const raw = await errorOf(() => other.sql.query("SELECT 1"));
        expect(sqlStateOf(raw)).toBe("53300");
        expect(isDatabaseUnavailable(prisma)).toBe(true);
        expect(isDatabaseUnavailable(raw)).toBe(true);
      } finally {
        await holder.end().catch(() => undefined);
        await other.close();
        await admin.query(`DROP ROLE IF EXISTS ${role}`);
      }
    });

    it("is not fooled by errors a retry would not fix", async () => {
      await db.prisma.brand.create({ data: { name: "unique-brand", logo: "" } });
      const unique = await errorOf(() => db.prisma.brand.create({ data: { name: "unique-brand", logo: "" } }));
      const rawUnique = await errorOf(() => db.sql.query("INSERT INTO brand (name, logo) VALUES ('unique-brand', '')"));
      const syntax = await errorOf(() => db.sql.query("SELEC 1"));
      const prismaSyntax = await errorOf(() => db.prisma.$queryRawUnsafe("SELEC 1"));
      const timedOut = await errorOf(() =>
        db.sql.transaction(async (tx) => {
          await tx.query("SET LOCAL statement_timeout = 50");
          await tx.query("SELECT pg_sleep(1)");
        }),
      );
      expect(sqlStateOf(rawUnique)).toBe("23505");
      expect(sqlStateOf(timedOut)).toBe("57014");
      for (const error of [unique, rawUnique, syntax, prismaSyntax, timedOut])
        expect(isDatabaseUnavailable(error)).toBe(false);
    });
  },
);

describe("isDatabaseUnavailable: the rules, on the shapes the drivers use", () => {
  const pgError = (code: string, message = "x") => Object.assign(new Error(message), { code, severity: "FATAL" });
  const adapterError = (cause: Record<string, unknown>) =>
    Object.assign(new Error("boom"), {
      name: "PrismaClientKnownRequestError",
      code: "P2010",
      meta: { driverAdapterError: Object.assign(new Error("driver"), { name: "DriverAdapterError", cause }) },
    });

  it.each([
    ["57P01 admin_shutdown", pgError("57P01", "terminating connection due to administrator command")],
    ["57P02 crash_shutdown", pgError("57P02")],
    ["57P03 cannot_connect_now", pgError("57P03", "the database system is starting up")],
    ["08006 connection_failure", pgError("08006")],
    ["08001 unable to connect", pgError("08001")],
    ["08003 connection_does_not_exist", pgError("08003")],
    ["08P01 from PgBouncer", pgError("08P01", "server conn crashed?")],
    ["53300 too_many_connections", pgError("53300", "sorry, too many clients already")],
    ["25006 read_only_sql_transaction", pgError("25006")],
    ["EPIPE", Object.assign(new Error("write EPIPE"), { code: "EPIPE", syscall: "write" })],
    ["ETIMEDOUT", Object.assign(new Error("connect ETIMEDOUT"), { code: "ETIMEDOUT", syscall: "connect" })],
    ["EHOSTUNREACH", Object.assign(new Error("connect EHOSTUNREACH"), { code: "EHOSTUNREACH" })],
    ["Connection terminated unexpectedly", new Error("Connection terminated unexpectedly")],
    [
      "pg: Connection terminated due to connection timeout",
      new Error("Connection terminated due to connection timeout"),
    ],
    ["a dead client", new Error("Client has encountered a connection error and is not queryable")],
    ["adapter: 57P01 (Prisma P2010)", adapterError({ kind: "postgres", code: "57P01", originalCode: "57P01" })],
    ["adapter: ConnectionClosed", adapterError({ kind: "ConnectionClosed" })],
    ["adapter: TooManyConnections", adapterError({ kind: "TooManyConnections", cause: "too many" })],
    [
      "Prisma P1017",
      Object.assign(new Error("Server has closed the connection."), {
        name: "PrismaClientKnownRequestError",
        code: "P1017",
      }),
    ],
    [
      "Prisma P2024",
      Object.assign(new Error("Timed out fetching a new connection"), {
        name: "PrismaClientKnownRequestError",
        code: "P2024",
      }),
    ],
    [
      "Prisma initialization P1001",
      Object.assign(new Error("init"), { name: "PrismaClientInitializationError", errorCode: "P1001" }),
    ],
    [
      "Prisma unknown request error",
      Object.assign(new Error("Invalid invocation: Connection terminated unexpectedly"), {
        name: "PrismaClientUnknownRequestError",
      }),
    ],
    ["cause chain", new Error("wrapped", { cause: pgError("57P01") })],
    [
      "AggregateError (every address refused)",
      new AggregateError(
        [Object.assign(new Error("connect ECONNREFUSED ::1:5432"), { code: "ECONNREFUSED" })],
        "all refused",
      ),
    ],
  ])("unavailable: %s", (_label, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ["23505 unique_violation", pgError("23505")],
    ["57014 query_canceled (statement timeout)", pgError("57014", "canceling statement due to statement timeout")],
    ["40001 serialization_failure", pgError("40001")],
    ["42P01 undefined_table", pgError("42P01")],
    ["28P01 invalid_password (a configuration error)", pgError("28P01")],
    ["adapter: unique violation", adapterError({ kind: "UniqueConstraintViolation", originalCode: "23505" })],
    ["Prisma P2002", Object.assign(new Error("unique"), { name: "PrismaClientKnownRequestError", code: "P2002" })],
    ["Prisma P2025", Object.assign(new Error("missing"), { name: "PrismaClientKnownRequestError", code: "P2025" })],
    ["a bug", new TypeError("cannot read properties of undefined")],
    ["a coded GraphQL error", new GraphQLError("nope", { extensions: { code: "BAD_USER_INPUT" } })],
    ["nothing", undefined],
    ["a string", "ECONNREFUSED"],
  ])("not unavailable: %s", (_label, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe("formatError: DATABASE_UNAVAILABLE, retryable, without internals", () => {
  it("answers a driver's connection error with the code, retryable: true and a message naming nothing", async () => {
    const port = await closedPort();
    const db = await openGoodsDb({ url: `postgresql://shop:s3cret@127.0.0.1:${port}/goods_db`, ...quiet });
    const quietConsole = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const error = await errorOf(() => db.prisma.goods.findMany());
      const format = formatError("goods");
      const located = new GraphQLError("raw", { path: ["goodsList"], originalError: error as Error });
      const formatted = format(
        { message: (error as Error).message, path: ["goodsList"], extensions: { code: "INTERNAL_SERVER_ERROR" } },
        located,
      );
      expect(formatted).toEqual({
        message: "The database is unavailable right now; retry the request",
        path: ["goodsList"],
        extensions: { code: "DATABASE_UNAVAILABLE", retryable: true },
      });
      expect(JSON.stringify(formatted)).not.toMatch(new RegExp(`${port}|s3cret|127\\.0\\.0\\.1|goods_db|P1001`));
      // Anything else stays a bare INTERNAL_SERVER_ERROR; coded errors stay as they are.
      const bug = new GraphQLError("raw", { path: ["goods"], originalError: new TypeError("x is undefined") });
      const internal = { message: "x is undefined", path: ["goods"], extensions: { code: "INTERNAL_SERVER_ERROR" } };
      expect(format(internal, bug)).toEqual({
        message: "Internal server error",
        path: ["goods"],
        extensions: { code: "INTERNAL_SERVER_ERROR" },
      });
      const coded = { message: "nope", extensions: { code: "INSUFFICIENT_STOCK" } };
      expect(format(coded, new GraphQLError("nope", { extensions: { code: "INSUFFICIENT_STOCK" } }))).toBe(coded);
    } finally {
      quietConsole.mockRestore();
      await db.close();
    }
  });
});
