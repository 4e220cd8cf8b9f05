import { assertTestDatabaseReachable, onPostgres } from "./test-database";

export default async function globalSetup() {
  await assertTestDatabaseReachable();
  console.log(`tests run on ${onPostgres ? "PostgreSQL (TEST_DATABASE_URL)" : "embedded PGlite (in memory)"}`);
}
