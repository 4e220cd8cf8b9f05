import { type GoodsDb, openGoodsDb } from "@emshop/db/goods";
import { migrate } from "@emshop/db/migrate";
import { seedGoods } from "@emshop/db/seed/seed-goods";
import { createContext } from "@emshop/goods/context";
import { createGoodsServer } from "@emshop/goods/server";
import type { GraphQLFormattedError } from "graphql";
import { createTestDatabase, type TestDatabase } from "./test-database";

// biome-ignore lint/suspicious/noExplicitAny: tests assert the response field by field; a loose type keeps them short.
type Data = Record<string, any>;

export interface OperationResult {
  data?: Data | null;
  errors?: readonly GraphQLFormattedError[];
}

export interface GoodsSubgraph {
  db: GoodsDb;
  /** Runs one operation in-process with a fresh context, as one HTTP request would. */
  run(query: string, variables?: Record<string, unknown>): Promise<OperationResult>;
  /** Like `run`, but fails unless the operation succeeded; returns `data`. */
  ok(query: string, variables?: Record<string, unknown>): Promise<Data>;
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

  const run = async (query: string, variables?: Record<string, unknown>): Promise<OperationResult> => {
    const response = await server.executeOperation<Data>(
      { query, ...(variables ? { variables } : {}) },
      { contextValue: createContext(db) },
    );
    if (response.body.kind !== "single") throw new Error("expected a single result, got an incremental one");
    return response.body.singleResult;
  };

  return {
    db,
    run,
    async ok(query, variables) {
      const result = await run(query, variables);
      if (result.errors) throw new Error(`operation failed: ${JSON.stringify(result.errors)}`);
      return result.data ?? {};
    },
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
