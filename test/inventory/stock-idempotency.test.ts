import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onPostgres } from "../support/test-database";
import { as } from "../support/tokens";
import {
  codes,
  type InventorySubgraph,
  type OperationResult,
  startInventorySubgraph,
} from "./support/inventory-subgraph";
import { ledgerViolations } from "./support/ledger-check";
import { ops } from "./support/operations";

type Variables = Record<string, unknown>;

/** One admin write and the inputs the tests send it, for goods `ids` (fresh per test). */
interface Case {
  name: "setStock" | "adjustStock" | "batchSetStocks";
  operation: string;
  goods: number;
  /** The change; `n` makes a different one. */
  input(ids: number[], n?: number): Variables;
  /** The same change as input(ids) once validated (trimmed reason, `0` vs `"0"`, …). */
  sameOnceValidated(ids: number[]): Variables;
  /** Changes other than input(ids) beyond `n`. */
  others(ids: number[]): Variables[];
  /** A first attempt that fails, and its corrected retry given the current versions. */
  failing(ids: number[]): { variables: Variables; code: string };
  corrected(ids: number[], versions: number[]): Variables;
}

const cases: Case[] = [
  {
    name: "setStock",
    operation: ops.setStock,
    goods: 1,
    input: ([id], n = 0) => ({ goodsId: String(id), stocks: 40 + n, reason: "count" }),
    sameOnceValidated: ([id]) => ({ goodsId: `0${id}`, stocks: 40, reason: "  count " }),
    others: ([id]) => [
      { goodsId: String(id), stocks: 40, reason: "recount" },
      { goodsId: String(id), stocks: 40 },
      { goodsId: String(id), stocks: 40, reason: "count", expectedVersion: 0 },
    ],
    failing: ([id]) => ({
      variables: { goodsId: String(id), stocks: 1, expectedVersion: 999 },
      code: "VERSION_CONFLICT",
    }),
    corrected: ([id], [version]) => ({ goodsId: String(id), stocks: 1, expectedVersion: version }),
  },
  {
    name: "adjustStock",
    operation: ops.adjustStock,
    goods: 1,
    input: ([id], n = 0) => ({ goodsId: String(id), delta: 5 + n, reason: "delivery" }),
    sameOnceValidated: ([id]) => ({ goodsId: ` ${id}`, delta: 5, reason: "delivery\n" }),
    others: ([id]) => [
      { goodsId: String(id), delta: -5, reason: "delivery" },
      { goodsId: String(id), delta: 5, reason: "breakage" },
    ],
    failing: ([id]) => ({
      variables: { goodsId: String(id), delta: -1000, reason: "breakage" },
      code: "INSUFFICIENT_STOCK",
    }),
    corrected: ([id]) => ({ goodsId: String(id), delta: -10, reason: "breakage" }),
  },
  {
    name: "batchSetStocks",
    operation: ops.batchSetStocks,
    goods: 3,
    input: (ids, n = 0) => ({
      items: ids.map((id, index) => ({ goodsId: String(id), stocks: 10 * (index + 1) + n })),
      reason: "import",
    }),
    sameOnceValidated: (ids) => ({
      items: ids.map((id, index) => ({ goodsId: String(id), stocks: 10 * (index + 1), expectedVersion: null })),
      reason: " import",
    }),
    others: (ids) => [
      // The caller's order is part of the input: the answer lists the items in that order.
      {
        items: ids.map((id, index) => ({ goodsId: String(id), stocks: 10 * (index + 1) })).reverse(),
        reason: "import",
      },
      { items: ids.slice(1).map((id, index) => ({ goodsId: String(id), stocks: 10 * (index + 2) })), reason: "import" },
    ],
    failing: (ids) => ({
      variables: {
        items: ids.map((id) => ({ goodsId: String(id), stocks: 1, expectedVersion: id === ids[1] ? 999 : 0 })),
      },
      code: "VERSION_CONFLICT",
    }),
    corrected: (ids, versions) => ({
      items: ids.map((id, index) => ({ goodsId: String(id), stocks: 1, expectedVersion: versions[index] })),
    }),
  },
];

/** Admin writes with an idempotency key (requestId), on the inventory subgraph alone. */
describe(`exactly-once setStock / adjustStock / batchSetStocks per requestId (${onPostgres ? "PostgreSQL" : "PGlite"})`, () => {
  let inventory: InventorySubgraph;
  const GOODS = 200;
  // Goods 1..200 with 100 units each; every test takes goods of its own.
  beforeAll(async () => {
    inventory = await startInventorySubgraph(
      "stock_idempotency",
      Array.from({ length: GOODS }, () => 100),
    );
  });
  afterAll(() => inventory?.close());

  let nextGoodsId = 1;
  const takeGoods = (count: number) => {
    const ids = Array.from({ length: count }, (_, index) => nextGoodsId + index);
    nextGoodsId += count;
    if (nextGoodsId > GOODS + 1) throw new Error("the test needs more goods");
    return ids;
  };
  const newKey = () => randomUUID();

  /** Everything a write could have changed: the rows (in goods-id order), their ledger, the key's claim. */
  const state = async (ids: number[], requestId?: string) => ({
    rows: await inventory.db.prisma.inventory.findMany({
      where: { goodsId: { in: ids } },
      orderBy: { goodsId: "asc" },
    }),
    movements: await inventory.db.prisma.stockMovement.count({ where: { goodsId: { in: ids } } }),
    claims: requestId ? await inventory.db.prisma.stockRequest.count({ where: { requestId } }) : 0,
  });
  const versions = async (ids: number[]) => (await state(ids)).rows.map((row) => row.version);

  const succeeded = (result: OperationResult) => {
    expect(result.errors).toBeUndefined();
    return result.data;
  };

  describe.each(cases)("$name", (c) => {
    const run = (variables: Variables, requestId?: string | null, headers: Record<string, string> = {}) =>
      inventory.run(c.operation, { ...variables, ...(requestId === undefined ? {} : { requestId }) }, headers);

    it("a repeat with the same key and input returns the first result and changes nothing", async () => {
      const ids = takeGoods(c.goods);
      const requestId = newKey();
      const first = succeeded(await run(c.input(ids), requestId));
      const after = await state(ids, requestId);
      expect(after.claims).toBe(1);

      for (const repeat of [c.input(ids), c.sameOnceValidated(ids)]) {
        expect(succeeded(await run(repeat, requestId))).toEqual(first);
        // The key is trimmed like every other input.
        expect(succeeded(await run(repeat, `  ${requestId} `))).toEqual(first);
      }
      expect(await state(ids, requestId)).toEqual(after);

      // Without a key, the same input is a new change, as it always was.
      const unkeyed = succeeded(await run(c.input(ids)));
      expect(unkeyed).not.toEqual(first);
      expect((await state(ids)).movements).toBeGreaterThan(after.movements);
    });

    it("writes the key into the ledger and exposes it in stockMovements", async () => {
      const ids = takeGoods(c.goods);
      const requestId = newKey();
      succeeded(await run(c.input(ids), requestId, await as("admin", "alice@admin")));
      const movements = await inventory.db.prisma.stockMovement.findMany({
        where: { goodsId: { in: ids }, kind: { not: "IMPORT" } },
      });
      expect(movements).toHaveLength(c.goods);
      for (const movement of movements) expect(movement).toMatchObject({ requestId, actor: "alice@admin (admin)" });

      const page = succeeded(
        await inventory.run(
          `query ($goodsId: ID!) { stockMovements(goodsId: $goodsId, first: 5) { items { kind requestId } } }`,
          { goodsId: String(ids[0]) },
        ),
      );
      expect(page?.stockMovements.items.map((m: { requestId: string | null }) => m.requestId)).toEqual([
        requestId,
        null, // the IMPORT of the test setup
      ]);

      const claim = await inventory.db.prisma.stockRequest.findUnique({ where: { requestId } });
      expect(claim?.input).toMatchObject({ actor: "alice@admin (admin)" });
      expect(claim?.result).toHaveLength(c.goods);
    });

    it("different input, or the same input from another actor, is IDEMPOTENCY_CONFLICT and changes nothing", async () => {
      const ids = takeGoods(c.goods);
      const requestId = newKey();
      const alice = await as("admin", "alice@admin");
      succeeded(await run(c.input(ids), requestId, alice));
      const after = await state(ids, requestId);

      const refused = [
        await run(c.input(ids, 1), requestId, alice),
        ...(await Promise.all(c.others(ids).map((variables) => run(variables, requestId, alice)))),
        await run(c.input(ids), requestId, await as("admin", "bob@admin")),
        await run(c.input(ids), requestId), // the default test admin is another actor too
      ];
      for (const result of refused) {
        expect(codes(result)).toEqual(["IDEMPOTENCY_CONFLICT"]);
        expect(result.errors?.[0]?.extensions).toMatchObject({ requestId });
      }
      expect(await state(ids, requestId)).toEqual(after);
    });

    it("a first attempt that fails leaves no claim: the same key with corrected input succeeds", async () => {
      const ids = takeGoods(c.goods);
      const requestId = newKey();
      const before = await state(ids, requestId);
      const { variables, code } = c.failing(ids);
      expect(codes(await run(variables, requestId))).toEqual([code]);
      expect(await state(ids, requestId)).toEqual(before);

      const corrected = succeeded(await run(c.corrected(ids, await versions(ids)), requestId));
      const after = await state(ids, requestId);
      expect(after.claims).toBe(1);
      expect(after.movements).toBe(before.movements + c.goods);
      expect(after.rows.map((row) => row.version)).toEqual(before.rows.map((row) => row.version + 1));
      // Now the key is taken: the failing input is a conflict, the corrected one a replay.
      expect(codes(await run(variables, requestId))).toEqual(["IDEMPOTENCY_CONFLICT"]);
      expect(
        succeeded(
          await run(
            c.corrected(
              ids,
              before.rows.map((row) => row.version),
            ),
            requestId,
          ),
        ),
      ).toEqual(corrected);
    });

    it("20 concurrent duplicates of one key change stock once, and all get the same answer", async () => {
      const ids = takeGoods(c.goods);
      const requestId = newKey();
      const before = await state(ids, requestId);
      const results = await Promise.all(Array.from({ length: 20 }, () => run(c.input(ids), requestId)));
      const [first] = results;
      for (const result of results) expect(succeeded(result)).toEqual(succeeded(first as OperationResult));
      const after = await state(ids, requestId);
      expect(after.movements).toBe(before.movements + c.goods);
      expect(after.rows.map((row) => row.version)).toEqual(before.rows.map((row) => row.version + 1));
      expect(after.claims).toBe(1);
    });

    it("rejects an empty or too long requestId with BAD_USER_INPUT (field requestId), writing nothing", async () => {
      const ids = takeGoods(c.goods);
      const before = await state(ids);
      for (const requestId of ["", "   ", "k".repeat(101)]) {
        const result = await run(c.input(ids), requestId);
        expect(codes(result)).toEqual(["BAD_USER_INPUT"]);
        expect(result.errors?.[0]?.extensions?.field).toBe("requestId");
      }
      expect(await state(ids)).toEqual(before);
      expect(
        await inventory.db.prisma.stockRequest.count({ where: { requestId: { in: ["", "k".repeat(101)] } } }),
      ).toBe(0);
      // 100 characters are fine; null is no key at all.
      succeeded(await run(c.input(ids), ` ${c.name.padEnd(100, "k")} `));
      succeeded(await run(c.input(ids), null));
    });
  });

  it("a setStock with expectedVersion retried while (or after) the first is in flight gets the first result, not VERSION_CONFLICT", async () => {
    const [id] = takeGoods(1);
    const [version] = await versions([id as number]);
    const requestId = newKey();
    const variables = { goodsId: String(id), stocks: 77, expectedVersion: version, requestId };
    const results = await Promise.all(Array.from({ length: 10 }, () => inventory.run(ops.setStock, variables)));
    expect(results.flatMap(codes)).toEqual([]);
    for (const result of results) expect(result.data).toEqual(results[0]?.data);
    expect(results[0]?.data?.setStock).toMatchObject({ stocks: 77, version: (version ?? 0) + 1 });
    // A late retry too; the same request without its key is, rightly, stale.
    expect((await inventory.run(ops.setStock, variables)).data).toEqual(results[0]?.data);
    const { requestId: _, ...withoutKey } = variables;
    expect(codes(await inventory.run(ops.setStock, withoutKey))).toEqual(["VERSION_CONFLICT"]);
    expect(await inventory.db.prisma.stockMovement.count({ where: { goodsId: id as number, kind: "SET" } })).toBe(1);
  });

  it("a key stands for one operation: reusing a setStock key for adjustStock or batchSetStocks is a conflict", async () => {
    const [id] = takeGoods(1);
    const requestId = newKey();
    succeeded(await inventory.run(ops.setStock, { goodsId: String(id), stocks: 5, requestId }));
    const before = await state([id as number], requestId);
    const adjust = await inventory.run(ops.adjustStock, { goodsId: String(id), delta: 1, reason: "x", requestId });
    const batch = await inventory.run(ops.batchSetStocks, { items: [{ goodsId: String(id), stocks: 5 }], requestId });
    expect([...codes(adjust), ...codes(batch)]).toEqual(["IDEMPOTENCY_CONFLICT", "IDEMPOTENCY_CONFLICT"]);
    expect(await state([id as number], requestId)).toEqual(before);
  });

  it("leaves the ledger consistent with every row", async () => {
    expect(await ledgerViolations(inventory.db.sql)).toEqual([]);
  });
});
