import { type InventoryDb, openInventoryDb } from "@emshop/db/inventory";
import { migrate } from "@emshop/db/migrate";
import { createContext } from "@emshop/inventory/context";
import { createInventoryServer } from "@emshop/inventory/server";
import { DEFAULT_HOLDS, type HoldOptions } from "@emshop/inventory/stock/hold-options";
import { importStocks } from "@emshop/inventory/stock/import-stocks";
import { DEFAULT_LOW_STOCK } from "@emshop/inventory/stock/low-stock";
import type { GraphQLFormattedError } from "graphql";
import { type InProcessClient, inProcessClient } from "../../support/in-process-client";
import { createTestDatabase, type TestDatabase } from "../../support/test-database";

export type { OperationResult } from "../../support/in-process-client";

export interface InventorySubgraph extends InProcessClient {
  db: InventoryDb;
  /** The database's URL (`memory://` on PGlite), for a second connection of a test's own. */
  url: string;
  close(): Promise<void>;
}

/**
 * The inventory subgraph on its own migrated database, with `stocks[i]` units
 * imported for goods i+1 (through importStocks, so the ledger starts consistent).
 */
export async function startInventorySubgraph(
  label: string,
  stocks: number[] = [],
  holds: Partial<HoldOptions> = {},
): Promise<InventorySubgraph> {
  const database: TestDatabase = await createTestDatabase(label);
  const db = await openInventoryDb({ url: database.url });
  await migrate(db.sql, "inventory");
  await importStocks(
    db,
    stocks.map((units, index) => ({ goodsId: index + 1, stocks: units })),
    { reason: "test setup", actor: "test" },
  );
  const server = createInventoryServer();
  return {
    db,
    url: database.url,
    ...inProcessClient(server, (request) =>
      createContext(db, request, DEFAULT_LOW_STOCK, undefined, { ...DEFAULT_HOLDS, ...holds }),
    ),
    async close() {
      await server.stop();
      await db.close();
      await database.drop();
    },
  };
}

export const codes = (result: { errors?: readonly GraphQLFormattedError[] }) =>
  (result.errors ?? []).map((error) => error.extensions?.code);
