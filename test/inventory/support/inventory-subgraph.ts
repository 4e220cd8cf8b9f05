import { type InventoryDb, openInventoryDb } from "@emshop/db/inventory";
import { migrate } from "@emshop/db/migrate";
import { createContext } from "@emshop/inventory/context";
import { createInventoryServer } from "@emshop/inventory/server";
import { importStocks } from "@emshop/inventory/stock/import-stocks";
import type { GraphQLFormattedError } from "graphql";
import { createTestDatabase, type TestDatabase } from "../../support/test-database";

// biome-ignore lint/suspicious/noExplicitAny: tests assert the response field by field; a loose type keeps them short.
type Data = Record<string, any>;

export interface OperationResult {
  data?: Data | null;
  errors?: readonly GraphQLFormattedError[];
}

export interface InventorySubgraph {
  db: InventoryDb;
  /** Runs one operation in-process with a fresh context, as one HTTP request would. */
  run(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<OperationResult>;
  /** Like `run`, but fails unless the operation succeeded; returns `data`. */
  ok(query: string, variables?: Record<string, unknown>): Promise<Data>;
  close(): Promise<void>;
}

/**
 * The inventory subgraph on its own migrated database, with `stocks[i]` units
 * imported for goods i+1 (through importStocks, so the ledger starts consistent).
 */
export async function startInventorySubgraph(label: string, stocks: number[] = []): Promise<InventorySubgraph> {
  const database: TestDatabase = await createTestDatabase(label);
  const db = await openInventoryDb({ url: database.url });
  await migrate(db.sql, "inventory");
  await importStocks(
    db,
    stocks.map((units, index) => ({ goodsId: index + 1, stocks: units })),
    { reason: "test setup", actor: "test" },
  );
  const server = createInventoryServer();
  const run = async (query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const response = await server.executeOperation<Data>(
      { query, ...(variables ? { variables } : {}) },
      { contextValue: createContext(db, { headers }) },
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

export const codes = (result: { errors?: readonly GraphQLFormattedError[] }) =>
  (result.errors ?? []).map((error) => error.extensions?.code);
