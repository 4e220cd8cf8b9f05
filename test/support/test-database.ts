import { randomBytes } from "node:crypto";
import pg from "pg";

/**
 * TEST_DATABASE_URL names a PostgreSQL database the tests may use to create
 * (and drop) throwaway databases, e.g. postgresql://postgres@127.0.0.1:5432/postgres.
 * Without it every test database is an in-memory PGlite.
 */
export const adminUrl = process.env.TEST_DATABASE_URL;

export const onPostgres = Boolean(adminUrl);

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A new, empty database: a throwaway PostgreSQL database, or in-memory PGlite. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  if (!adminUrl) return { url: "memory://", drop: async () => undefined };
  const name = `emshop_test_${label.replace(/\W/g, "_")}_${randomBytes(4).toString("hex")}`.toLowerCase();
  await withAdmin((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      withAdmin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/** Fails fast, with a message that says what to do, when TEST_DATABASE_URL is set but unreachable. */
export async function assertTestDatabaseReachable() {
  if (!adminUrl) return;
  try {
    await withAdmin((client) => client.query("SELECT 1"));
  } catch (error) {
    throw new Error(
      `TEST_DATABASE_URL (${adminUrl.replace(/\/\/[^@/]*@/, "//")}) is not reachable: ${(error as Error).message}. ` +
        "Start PostgreSQL, or unset TEST_DATABASE_URL to run the tests on embedded PGlite.",
    );
  }
}
