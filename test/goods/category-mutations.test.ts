import { translateConstraintErrors } from "@emshop/goods/db-errors";
import { inUse } from "@emshop/goods/errors";
import { GraphQLError } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, type GoodsSubgraph, startGoodsSubgraph } from "../support/goods-subgraph";

const CREATE = `mutation($input: CreateCategoryInput!) {
  createCategory(input: $input) { id name level isTab parent { id level } children { id } }
}`;
const UPDATE = `mutation($id: ID!, $input: UpdateCategoryInput!) { updateCategory(id: $id, input: $input) { id name isTab level } }`;
const DELETE = `mutation($id: ID!) { deleteCategory(id: $id) }`;

describe("category mutations", () => {
  let goods: GoodsSubgraph;
  const count = () => goods.db.prisma.category.count();
  const idOf = async (level: number) =>
    String((await goods.db.prisma.category.findFirstOrThrow({ where: { level }, orderBy: { id: "asc" } })).id);

  beforeAll(async () => {
    goods = await startGoodsSubgraph("goods_category_mutations");
  });
  afterAll(() => goods?.close());

  it("creates a three-level branch and shows it in the tree", async () => {
    const top = (await goods.ok(CREATE, { input: { name: " Garden ", level: 1, isTab: true } })).createCategory;
    expect(top).toMatchObject({ name: "Garden", level: 1, isTab: true, parent: null, children: [] });
    const mid = (await goods.ok(CREATE, { input: { name: "Tools", level: 2, parentId: top.id } })).createCategory;
    expect(mid).toMatchObject({ name: "Tools", level: 2, isTab: false, parent: { id: top.id, level: 1 } });
    const leaf = (await goods.ok(CREATE, { input: { name: "Spades", level: 3, parentId: mid.id } })).createCategory;
    expect(leaf).toMatchObject({ level: 3, parent: { id: mid.id, level: 2 } });

    const tree = await goods.ok("{ categories { id name children { id children { id name } } } }");
    const garden = tree.categories.find((c: { id: string }) => c.id === top.id);
    expect(garden).toEqual({
      id: top.id,
      name: "Garden",
      children: [{ id: mid.id, children: [{ id: leaf.id, name: "Spades" }] }],
    });
  });

  it("accepts a 20-character name", async () => {
    const name = "c".repeat(20);
    expect((await goods.ok(CREATE, { input: { name, level: 1 } })).createCategory.name).toBe(name);
  });

  it("refuses each invalid input with BAD_USER_INPUT on the field and writes nothing", async () => {
    const [top, mid, leaf] = [await idOf(1), await idOf(2), await idOf(3)];
    const cases: [Record<string, unknown>, string][] = [
      [{ name: "", level: 1 }, "input.name"],
      [{ name: "c".repeat(21), level: 1 }, "input.name"],
      [{ name: "Zero", level: 0 }, "input.level"],
      [{ name: "Four", level: 4, parentId: leaf }, "input.level"],
      [{ name: "Top with parent", level: 1, parentId: top }, "input.parentId"],
      [{ name: "Orphan", level: 2 }, "input.parentId"],
      [{ name: "Orphan leaf", level: 3 }, "input.parentId"],
      [{ name: "Skips a level", level: 3, parentId: top }, "input.parentId"],
      [{ name: "Sibling", level: 2, parentId: mid }, "input.parentId"],
      [{ name: "Under leaf", level: 3, parentId: leaf }, "input.parentId"],
      [{ name: "Lost", level: 2, parentId: "99999" }, "input.parentId"],
      [{ name: "Bad id", level: 2, parentId: "one" }, "input.parentId"],
    ];
    const before = await count();
    for (const [input, field] of cases) {
      const error = failure(await goods.run(CREATE, { input }));
      expect({ input, code: error.code, field: error.field }).toEqual({ input, code: "BAD_USER_INPUT", field });
    }
    expect(await count()).toBe(before);
  });

  it("updates the name and isTab given, nothing else", async () => {
    const id = await idOf(2);
    const before = await goods.db.prisma.category.findUniqueOrThrow({ where: { id: Number(id) } });
    const renamed = (await goods.ok(UPDATE, { id, input: { name: "Renamed" } })).updateCategory;
    expect(renamed).toEqual({ id, name: "Renamed", isTab: before.isTab, level: 2 });
    const tabbed = (await goods.ok(UPDATE, { id, input: { isTab: !before.isTab } })).updateCategory;
    expect(tabbed).toEqual({ id, name: "Renamed", isTab: !before.isTab, level: 2 });
    expect(await goods.db.prisma.category.findUniqueOrThrow({ where: { id: Number(id) } })).toMatchObject({
      name: "Renamed",
      isTab: !before.isTab,
      parentId: before.parentId,
    });
  });

  it("refuses invalid updates and unknown ids", async () => {
    const id = await idOf(1);
    const before = await goods.db.prisma.category.findUniqueOrThrow({ where: { id: Number(id) } });
    expect(failure(await goods.run(UPDATE, { id, input: { name: "" } }))).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "input.name",
    });
    expect(failure(await goods.run(UPDATE, { id, input: { name: null } }))).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "input.name",
    });
    expect(
      failure(await goods.run(UPDATE, { id, input: { name: "x".repeat(21), isTab: !before.isTab } })),
    ).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "input.name",
    });
    expect(await goods.db.prisma.category.findUniqueOrThrow({ where: { id: Number(id) } })).toEqual(before);
    expect(failure(await goods.run(UPDATE, { id: "99999", input: { name: "x" } }))).toMatchObject({
      code: "NOT_FOUND",
    });
  });

  describe("deleteCategory", () => {
    it("deletes an unused category; a second delete is NOT_FOUND", async () => {
      const { id } = (await goods.ok(CREATE, { input: { name: "Temporary", level: 1 } })).createCategory;
      expect(await goods.ok(DELETE, { id })).toEqual({ deleteCategory: id });
      expect(await goods.db.prisma.category.findUnique({ where: { id: Number(id) } })).toBeNull();
      expect(failure(await goods.run(DELETE, { id }))).toMatchObject({ code: "NOT_FOUND" });
    });

    it("refuses with IN_USE while goods use it", async () => {
      const goodsRow = await goods.db.prisma.goods.findFirstOrThrow({ orderBy: { id: "asc" } });
      const used = await goods.db.prisma.goods.count({ where: { categoryId: goodsRow.categoryId } });
      // Brand pairs would block it too; remove them so that goods are the only user.
      await goods.db.prisma.categoryBrand.deleteMany({ where: { categoryId: goodsRow.categoryId } });
      const result = await goods.run(DELETE, { id: String(goodsRow.categoryId) });
      expect(failure(result)).toMatchObject({ code: "IN_USE" });
      expect(result.errors?.[0]?.extensions).toMatchObject({
        entity: "Category",
        id: String(goodsRow.categoryId),
        usedBy: { goods: used, subcategories: 0, "category-brand pairs": 0 },
      });
      expect(failure(result).message).toContain(`${used} goods`);
      expect(await goods.db.prisma.category.findUnique({ where: { id: goodsRow.categoryId } })).not.toBeNull();
    });

    it("refuses with IN_USE while it has subcategories", async () => {
      const { id } = (await goods.ok(CREATE, { input: { name: "Parent", level: 1 } })).createCategory;
      await goods.ok(CREATE, { input: { name: "Child", level: 2, parentId: id } });
      const result = await goods.run(DELETE, { id });
      expect(failure(result)).toMatchObject({ code: "IN_USE" });
      expect(result.errors?.[0]?.extensions?.usedBy).toEqual({ goods: 0, subcategories: 1, "category-brand pairs": 0 });
      expect(failure(result).message).toContain("1 subcategories");
    });

    it("refuses with IN_USE while a category-brand pair uses it", async () => {
      const { id } = (await goods.ok(CREATE, { input: { name: "Paired", level: 1 } })).createCategory;
      await goods.ok(`mutation { createCategoryBrand(categoryId: "${id}", brandId: "1") { id } }`);
      const categories = await count();
      const result = await goods.run(DELETE, { id });
      expect(failure(result)).toMatchObject({ code: "IN_USE" });
      expect(result.errors?.[0]?.extensions?.usedBy).toEqual({ goods: 0, subcategories: 0, "category-brand pairs": 1 });
      expect(await count()).toBe(categories);
    });

    it("reports BAD_USER_INPUT for a malformed id", async () => {
      expect(failure(await goods.run(DELETE, { id: "1.5" }))).toMatchObject({ code: "BAD_USER_INPUT", field: "id" });
    });

    it("turns a foreign-key violation that slips past the check (a race) into IN_USE", async () => {
      // Skips the resolver's check on purpose: what reaches the database when a row is added meanwhile.
      const parent = await goods.db.prisma.category.findFirstOrThrow({ where: { level: 1 } });
      const attempt = translateConstraintErrors({ foreignKey: () => inUse("Category", parent.id) }, () =>
        goods.db.prisma.category.delete({ where: { id: parent.id } }),
      );
      const error = await attempt.then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(GraphQLError);
      expect((error as GraphQLError).extensions).toMatchObject({ code: "IN_USE", entity: "Category" });
      expect(await goods.db.prisma.category.findUnique({ where: { id: parent.id } })).not.toBeNull();
    });
  });
});
