import { type GoodsDb, openGoodsDb } from "@emshop/db/goods";
import { migrate } from "@emshop/db/migrate";
import { seedGoods } from "@emshop/db/seed/seed-goods";
import { createContext } from "@emshop/goods/context";
import { createGoodsServer } from "@emshop/goods/server";
import { type InProcessClient, inProcessClient, type OperationResult } from "./in-process-client";
import { createTestDatabase, type TestDatabase } from "./test-database";

export type { OperationResult } from "./in-process-client";

export interface GoodsSubgraph extends InProcessClient {
  db: GoodsDb;
  close(): Promise<void>;
}

/**
 * The goods subgraph on its own migrated (and, unless `seed` is false, seeded)
 * database. Call from beforeAll and `close` from afterAll.
 */
export async function startGoodsSubgraph(
  label: string,
  options: { goodsCount?: number; seed?: boolean; onQuery?: (sql: string) => void } = {},
): Promise<GoodsSubgraph> {
  const database: TestDatabase = await createTestDatabase(label);
  const db = await openGoodsDb({ url: database.url, ...(options.onQuery ? { onQuery: options.onQuery } : {}) });
  await migrate(db.sql, "goods");
  if (options.seed !== false) await seedGoods(db, { goodsCount: options.goodsCount ?? 150 });
  const server = createGoodsServer();

  return {
    db,
    ...inProcessClient(server, (request) => createContext(db, request)),
    async close() {
      await server.stop();
      await db.close();
      await database.drop();
    },
  };
}

/** The code and field of the one error an operation failed with, for compact assertions. */
export function failure(result: OperationResult) {
  if (result.errors?.length !== 1) throw new Error(`expected exactly one error, got ${JSON.stringify(result.errors)}`);
  const [error] = result.errors;
  return { code: error?.extensions?.code, field: error?.extensions?.field, message: error?.message ?? "" };
}
