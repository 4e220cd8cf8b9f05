import { type InventoryDb, openInventoryDb } from "@emshop/db/inventory";
import { migrate } from "@emshop/db/migrate";
import { createContext } from "@emshop/inventory/context";
import { createInventoryServer } from "@emshop/inventory/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inProcessClient } from "../support/in-process-client";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

/** The inventory subgraph on its own, as the gateway calls it: `_entities` with Goods representations. */
describe("inventory subgraph (executeOperation)", () => {
  let database: TestDatabase;
  let db: InventoryDb;
  const server = createInventoryServer();
  beforeAll(async () => {
    database = await createTestDatabase("inventory_unit");
    db = await openInventoryDb({ url: database.url });
    await migrate(db.sql, "inventory");
    await db.prisma.inventory.createMany({
      data: [
        { goodsId: 1, stocks: 10 },
        { goodsId: 2, stocks: 0 },
      ],
    });
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  const execute = (query: string, variables?: Record<string, unknown>) =>
    inProcessClient(server, (request) => createContext(db, request)).run(query, variables);

  it("resolves Goods.stocks for representations, null where inventory has no row", async () => {
    const result = await execute(
      `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Goods { id stocks } } }`,
      {
        representations: [
          { __typename: "Goods", id: "2" },
          { __typename: "Goods", id: "1" },
          { __typename: "Goods", id: "404" },
          { __typename: "Goods", id: "not-a-number" },
        ],
      },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?._entities).toEqual([
      { id: "2", stocks: 0 },
      { id: "1", stocks: 10 },
      { id: "404", stocks: null },
      { id: "not-a-number", stocks: null },
    ]);
  });

  it("serves the inventory row, null for unknown goods, BAD_USER_INPUT for a malformed id", async () => {
    const query = "query($id: ID!) { inventory(goodsId: $id) { goodsId stocks version updatedAt } }";
    const found = await execute(query, { id: "1" });
    expect(found.data?.inventory).toMatchObject({ goodsId: "1", stocks: 10, version: 0 });
    const updatedAt = (found.data?.inventory as { updatedAt?: string } | undefined)?.updatedAt;
    expect(new Date(updatedAt ?? "invalid").getTime()).not.toBeNaN();
    expect((await execute(query, { id: "999" })).data?.inventory).toBeNull();
    const bad = await execute(query, { id: "-3" });
    expect(bad.errors?.map((error) => error.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
  });

  it("publishes its SDL with the Goods entity key for composition", async () => {
    const result = await execute("{ _service { sdl } }");
    expect((result.data?._service as { sdl?: string } | undefined)?.sdl).toMatch(/type Goods\s+@key\(fields: "id"\)/);
  });
});
