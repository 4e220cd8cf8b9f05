import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, type GoodsSubgraph, startGoodsSubgraph } from "../support/goods-subgraph";

const GOODS_FIELDS = `id goodsSn name brief description marketPrice shopPrice frontImage images descImages
  onSale shipFree isNew isHot clickNum soldNum favNum category { id } brand { id }`;

const CREATE = `mutation($input: CreateGoodsInput!) { createGoods(input: $input) { ${GOODS_FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateGoodsInput!) { updateGoods(id: $id, input: $input) { ${GOODS_FIELDS} } }`;

describe("goods mutations", () => {
  let goods: GoodsSubgraph;
  let leafId: string;
  let otherLeafId: string;
  let sn = 0;

  /** A valid CreateGoodsInput with a fresh goodsSn. */
  const input = (overrides: Record<string, unknown> = {}) => ({
    goodsSn: `T-${++sn}`,
    name: "Test Kettle",
    brief: "Boils water fast",
    marketPrice: 39.9,
    shopPrice: 29.5,
    frontImage: "https://img.test/kettle.jpg",
    images: ["https://img.test/kettle-1.jpg", "http://img.test/kettle-2.jpg"],
    descImages: ["https://img.test/kettle-desc.jpg"],
    categoryId: leafId,
    brandId: "3",
    ...overrides,
  });
  const count = () => goods.db.prisma.goods.count();

  beforeAll(async () => {
    goods = await startGoodsSubgraph("goods_mutations");
    const leaves = await goods.db.prisma.category.findMany({ where: { level: 3 }, orderBy: { id: "asc" }, take: 2 });
    [leafId, otherLeafId] = leaves.map((leaf) => String(leaf.id)) as [string, string];
  });
  afterAll(() => goods?.close());

  describe("createGoods", () => {
    it("creates goods with defaults for the optional fields and trims text", async () => {
      const before = await count();
      const data = await goods.ok(CREATE, {
        input: {
          ...input({ goodsSn: "  NEW-001 " }),
          name: "  Steel Kettle  ",
          images: undefined,
          descImages: undefined,
        },
      });
      expect(data.createGoods).toMatchObject({
        goodsSn: "NEW-001",
        name: "Steel Kettle",
        brief: "Boils water fast",
        description: "",
        marketPrice: 39.9,
        shopPrice: 29.5,
        images: [],
        descImages: [],
        onSale: true,
        shipFree: true,
        isNew: false,
        isHot: false,
        clickNum: 0,
        soldNum: 0,
        favNum: 0,
        category: { id: leafId },
        brand: { id: "3" },
      });
      expect(await count()).toBe(before + 1);
      const row = await goods.db.prisma.goods.findUniqueOrThrow({ where: { id: Number(data.createGoods.id) } });
      expect(row).toMatchObject({ goodsSn: "NEW-001", name: "Steel Kettle", categoryId: Number(leafId), brandId: 3 });
      expect(Number(row.shopPrice)).toBe(29.5);
      // New ids come after the seeded ones.
      expect(Number(data.createGoods.id)).toBeGreaterThan(150);
    });

    it("stores every field given", async () => {
      const given = input({ description: "Long text", onSale: false, shipFree: false, isNew: true, isHot: true });
      const data = await goods.ok(CREATE, { input: given });
      const { categoryId, brandId, ...fields } = given;
      expect(data.createGoods).toMatchObject({ ...fields, category: { id: categoryId }, brand: { id: brandId } });
    });

    it("has no stock input or field of any kind", async () => {
      const data = await goods.ok(`{
        create: __type(name: "CreateGoodsInput") { inputFields { name } }
        update: __type(name: "UpdateGoodsInput") { inputFields { name } }
        goods: __type(name: "Goods") { fields { name } }
      }`);
      const names = [...data.create.inputFields, ...data.update.inputFields, ...data.goods.fields].map(
        (field: { name: string }) => field.name,
      );
      expect(names).toContain("goodsSn");
      expect(names.filter((name) => /stock/i.test(name))).toEqual([]);
      const withStock = await goods.run(CREATE, { input: { ...input(), stocks: 5 } });
      expect(failure(withStock).code).toBe("BAD_USER_INPUT");
    });

    it.each([
      [{ goodsSn: "" }, "input.goodsSn"],
      [{ goodsSn: "x".repeat(51) }, "input.goodsSn"],
      [{ name: "" }, "input.name"],
      [{ name: "   " }, "input.name"],
      [{ name: "n".repeat(51) }, "input.name"],
      [{ brief: "ab" }, "input.brief"],
      [{ brief: "b".repeat(201) }, "input.brief"],
      [{ marketPrice: -1 }, "input.marketPrice"],
      [{ shopPrice: -0.01 }, "input.shopPrice"],
      [{ shopPrice: 1e12 }, "input.shopPrice"],
      [{ frontImage: "not a url" }, "input.frontImage"],
      [{ frontImage: "ftp://img.test/a.jpg" }, "input.frontImage"],
      [{ frontImage: "javascript:alert(1)" }, "input.frontImage"],
      [{ frontImage: `https://img.test/${"a".repeat(190)}.jpg` }, "input.frontImage"],
      [{ images: ["https://img.test/ok.jpg", "/relative.jpg"] }, "input.images[1]"],
      [{ descImages: ["mailto:someone@example.com"] }, "input.descImages[0]"],
      [{ categoryId: "99999" }, "input.categoryId"],
      [{ categoryId: "abc" }, "input.categoryId"],
      [{ brandId: "99999" }, "input.brandId"],
    ])("refuses %j with BAD_USER_INPUT on %s and writes nothing", async (overrides, field) => {
      const before = await count();
      const error = failure(await goods.run(CREATE, { input: input(overrides) }));
      expect(error).toMatchObject({ code: "BAD_USER_INPUT", field });
      expect(error.message).toContain(field);
      expect(await count()).toBe(before);
    });

    it("accepts names of exactly 50 characters, counted as characters not bytes", async () => {
      const name = "é".repeat(50);
      const data = await goods.ok(CREATE, { input: input({ name, marketPrice: 0, shopPrice: 0 }) });
      expect(data.createGoods).toMatchObject({ name, marketPrice: 0, shopPrice: 0 });
    });

    it("refuses non-finite prices before they reach the resolver", async () => {
      const error = failure(await goods.run(CREATE, { input: input({ shopPrice: Number.POSITIVE_INFINITY }) }));
      expect(error.code).toBe("BAD_USER_INPUT");
    });

    it("refuses a goodsSn that is already used with CONFLICT on input.goodsSn", async () => {
      const before = await count();
      const error = failure(await goods.run(CREATE, { input: input({ goodsSn: "G000000001" }) }));
      expect(error).toMatchObject({ code: "CONFLICT", field: "input.goodsSn" });
      expect(await count()).toBe(before);
    });

    it("lets exactly one of two concurrent creates with the same goodsSn win", async () => {
      const same = input({ goodsSn: "RACE-1" });
      const results = await Promise.all([goods.run(CREATE, { input: same }), goods.run(CREATE, { input: same })]);
      expect(results.filter((result) => !result.errors)).toHaveLength(1);
      expect(failure(results.find((result) => result.errors) ?? {})).toMatchObject({
        code: "CONFLICT",
        field: "input.goodsSn",
      });
      expect(await goods.db.prisma.goods.count({ where: { goodsSn: "RACE-1" } })).toBe(1);
    });
  });

  describe("updateGoods", () => {
    it("changes only the fields given", async () => {
      const before = await goods.db.prisma.goods.findUniqueOrThrow({ where: { id: 5 } });
      const data = await goods.ok(UPDATE, {
        id: "5",
        input: { name: "Renamed", shopPrice: 12.34, categoryId: otherLeafId, brandId: "7", isHot: true },
      });
      expect(data.updateGoods).toMatchObject({
        id: "5",
        name: "Renamed",
        shopPrice: 12.34,
        isHot: true,
        category: { id: otherLeafId },
        brand: { id: "7" },
        goodsSn: before.goodsSn,
        brief: before.brief,
        marketPrice: Number(before.marketPrice),
        onSale: before.onSale,
        images: before.images,
      });
    });

    it("keeps its own goodsSn and refuses another goods' one with CONFLICT", async () => {
      const own = await goods.ok(UPDATE, { id: "6", input: { goodsSn: "G000000006" } });
      expect(own.updateGoods.goodsSn).toBe("G000000006");
      const taken = await goods.run(UPDATE, { id: "6", input: { goodsSn: "G000000007" } });
      expect(failure(taken)).toMatchObject({ code: "CONFLICT", field: "input.goodsSn" });
    });

    it.each([
      [{ name: "n".repeat(51) }, "input.name"],
      [{ name: null }, "input.name"],
      [{ onSale: null }, "input.onSale"],
      [{ brief: "x" }, "input.brief"],
      [{ marketPrice: -5 }, "input.marketPrice"],
      [{ frontImage: "img.jpg" }, "input.frontImage"],
      [{ images: ["https://img.test/a.jpg", "data:image/png;base64,AAAA"] }, "input.images[1]"],
      [{ categoryId: "99999" }, "input.categoryId"],
      [{ name: "Valid new name", brandId: "99999" }, "input.brandId"],
    ])("refuses %j with BAD_USER_INPUT on %s and leaves the goods unchanged", async (change, field) => {
      const before = await goods.db.prisma.goods.findUniqueOrThrow({ where: { id: 8 } });
      const error = failure(await goods.run(UPDATE, { id: "8", input: change }));
      expect(error).toMatchObject({ code: "BAD_USER_INPUT", field });
      expect(await goods.db.prisma.goods.findUniqueOrThrow({ where: { id: 8 } })).toEqual(before);
    });

    it("reports NOT_FOUND for an unknown id and BAD_USER_INPUT for a malformed one", async () => {
      const missing = failure(await goods.run(UPDATE, { id: "99999", input: { name: "x" } }));
      expect(missing).toMatchObject({ code: "NOT_FOUND" });
      expect(missing.message).toContain("99999");
      expect(failure(await goods.run(UPDATE, { id: "-1", input: { name: "x" } }))).toMatchObject({
        code: "BAD_USER_INPUT",
        field: "id",
      });
    });
  });

  describe("updateGoodsStatus", () => {
    const STATUS = `mutation($id: ID!, $isNew: Boolean, $isHot: Boolean, $onSale: Boolean) {
      updateGoodsStatus(id: $id, isNew: $isNew, isHot: $isHot, onSale: $onSale) { id isNew isHot onSale }
    }`;

    it("sets the flags given and leaves the others", async () => {
      await goods.db.prisma.goods.update({ where: { id: 9 }, data: { isNew: false, isHot: false, onSale: true } });
      const first = await goods.ok(STATUS, { id: "9", isNew: true });
      expect(first.updateGoodsStatus).toEqual({ id: "9", isNew: true, isHot: false, onSale: true });
      const second = await goods.ok(STATUS, { id: "9", isHot: true, onSale: false });
      expect(second.updateGoodsStatus).toEqual({ id: "9", isNew: true, isHot: true, onSale: false });
      expect(await goods.db.prisma.goods.findUniqueOrThrow({ where: { id: 9 } })).toMatchObject({
        isNew: true,
        isHot: true,
        onSale: false,
      });
    });

    it("reports NOT_FOUND for an unknown id", async () => {
      expect(failure(await goods.run(STATUS, { id: "99999", isNew: true }))).toMatchObject({ code: "NOT_FOUND" });
    });
  });

  describe("deleteGoods", () => {
    const DELETE = `mutation($id: ID!) { deleteGoods(id: $id) }`;

    it("deletes goods and returns the id; a second delete is NOT_FOUND", async () => {
      const before = await count();
      expect(await goods.ok(DELETE, { id: "10" })).toEqual({ deleteGoods: "10" });
      expect(await count()).toBe(before - 1);
      expect((await goods.ok(`{ goods(id: "10") { id } }`)).goods).toBeNull();
      expect(failure(await goods.run(DELETE, { id: "10" }))).toMatchObject({ code: "NOT_FOUND" });
      expect(await count()).toBe(before - 1);
    });
  });
});
