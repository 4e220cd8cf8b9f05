import { randomBytes } from "node:crypto";
import pg from "pg";

/** The PostgreSQL server benchmarks run against (they never use PGlite: they compare with pgbench). */
export const benchAdminUrl =
  process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

/** Runs one statement on the admin connection (CREATE/DROP DATABASE cannot run in a pool transaction). */
export async function adminQuery(sql: string) {
  const client = new pg.Client({ connectionString: benchAdminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A throwaway database on the benchmark server, dropped (even with open connections) by `drop`. */
export async function createBenchDatabase(label: string) {
  const name = `emshop_bench_${label}_${randomBytes(3).toString("hex")}`;
  await adminQuery(`CREATE DATABASE "${name}"`);
  const url = new URL(benchAdminUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: () => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}
