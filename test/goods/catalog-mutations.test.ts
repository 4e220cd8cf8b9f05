import { translateConstraintErrors } from "@emshop/goods/db-errors";
import { conflict, inUse } from "@emshop/goods/errors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, type GoodsSubgraph, startGoodsSubgraph } from "../support/goods-subgraph";

describe("brand, banner and category-brand mutations", () => {
  let goods: GoodsSubgraph;

  beforeAll(async () => {
    goods = await startGoodsSubgraph("goods_catalog_mutations");
  });
  afterAll(() => goods?.close());

  describe("brands", () => {
    const CREATE = `mutation($input: BrandInput!) { createBrand(input: $input) { id name logo } }`;
    const UPDATE = `mutation($id: ID!, $input: BrandInput!) { updateBrand(id: $id, input: $input) { id name logo } }`;
    const DELETE = `mutation($id: ID!) { deleteBrand(id: $id) }`;
    const count = () => goods.db.prisma.brand.count();

    it("creates a brand, with an empty logo by default", async () => {
      const before = await count();
      const data = await goods.ok(CREATE, { input: { name: " Acme ", logo: "https://img.test/acme.png" } });
      expect(data.createBrand).toMatchObject({ name: "Acme", logo: "https://img.test/acme.png" });
      expect(Number(data.createBrand.id)).toBeGreaterThan(40);
      const noLogo = await goods.ok(CREATE, { input: { name: "No Logo Co" } });
      expect(noLogo.createBrand).toMatchObject({ name: "No Logo Co", logo: "" });
      expect(await count()).toBe(before + 2);
    });

    it.each([
      [{ name: "" }, "input.name"],
      [{ name: "b".repeat(51) }, "input.name"],
      [{ name: "Bad Logo", logo: "logo.png" }, "input.logo"],
      [{ name: "Bad Logo", logo: "ftp://img.test/logo.png" }, "input.logo"],
      [{ name: "Long Logo", logo: `https://img.test/${"l".repeat(200)}` }, "input.logo"],
    ])("refuses %j with BAD_USER_INPUT on %s", async (input, field) => {
      const before = await count();
      expect(failure(await goods.run(CREATE, { input }))).toMatchObject({ code: "BAD_USER_INPUT", field });
      expect(await count()).toBe(before);
    });

    it("refuses a name that is taken with CONFLICT on input.name", async () => {
      const existing = await goods.db.prisma.brand.findUniqueOrThrow({ where: { id: 1 } });
      const before = await count();
      expect(failure(await goods.run(CREATE, { input: { name: existing.name } }))).toMatchObject({
        code: "CONFLICT",
        field: "input.name",
      });
      expect(await count()).toBe(before);
    });

    it("lets exactly one of two concurrent creates with the same name win", async () => {
      const input = { name: "Raced Brand" };
      const results = await Promise.all([goods.run(CREATE, { input }), goods.run(CREATE, { input })]);
      expect(results.filter((result) => !result.errors)).toHaveLength(1);
      expect(failure(results.find((result) => result.errors) ?? {}).code).toBe("CONFLICT");
    });

    it("maps a unique violation that slips past the check to CONFLICT", async () => {
      const existing = await goods.db.prisma.brand.findUniqueOrThrow({ where: { id: 2 } });
      const attempt = translateConstraintErrors({ unique: () => conflict("input.name", "taken") }, () =>
        goods.db.prisma.brand.create({ data: { name: existing.name } }),
      );
      await expect(attempt).rejects.toMatchObject({ extensions: { code: "CONFLICT", field: "input.name" } });
    });

    it("updates a brand, keeping its own name allowed and others' refused", async () => {
      const own = await goods.db.prisma.brand.findUniqueOrThrow({ where: { id: 5 } });
      const other = await goods.db.prisma.brand.findUniqueOrThrow({ where: { id: 6 } });
      const same = await goods.ok(UPDATE, { id: "5", input: { name: own.name, logo: "https://img.test/5b.png" } });
      expect(same.updateBrand).toEqual({ id: "5", name: own.name, logo: "https://img.test/5b.png" });
      const renamed = await goods.ok(UPDATE, { id: "5", input: { name: "Fresh Name" } });
      expect(renamed.updateBrand).toEqual({ id: "5", name: "Fresh Name", logo: "" });
      expect(failure(await goods.run(UPDATE, { id: "5", input: { name: other.name } }))).toMatchObject({
        code: "CONFLICT",
        field: "input.name",
      });
      expect(failure(await goods.run(UPDATE, { id: "5", input: { name: "" } }))).toMatchObject({
        code: "BAD_USER_INPUT",
        field: "input.name",
      });
      expect((await goods.db.prisma.brand.findUniqueOrThrow({ where: { id: 5 } })).name).toBe("Fresh Name");
      expect(failure(await goods.run(UPDATE, { id: "99999", input: { name: "Nobody" } }))).toMatchObject({
        code: "NOT_FOUND",
      });
    });

    it("deletes an unused brand; a second delete is NOT_FOUND", async () => {
      const { id } = (await goods.ok(CREATE, { input: { name: "Short Lived" } })).createBrand;
      expect(await goods.ok(DELETE, { id })).toEqual({ deleteBrand: id });
      expect(await goods.db.prisma.brand.findUnique({ where: { id: Number(id) } })).toBeNull();
      expect(failure(await goods.run(DELETE, { id }))).toMatchObject({ code: "NOT_FOUND" });
    });

    it("refuses with IN_USE while goods or category pairs use it", async () => {
      const brandId = (await goods.db.prisma.goods.findFirstOrThrow({ orderBy: { id: "asc" } })).brandId;
      const usedByGoods = await goods.db.prisma.goods.count({ where: { brandId } });
      const pairs = await goods.db.prisma.categoryBrand.count({ where: { brandId } });
      const result = await goods.run(DELETE, { id: String(brandId) });
      expect(failure(result)).toMatchObject({ code: "IN_USE" });
      expect(result.errors?.[0]?.extensions).toMatchObject({
        entity: "Brand",
        id: String(brandId),
        usedBy: { goods: usedByGoods, "category-brand pairs": pairs },
      });
      expect(await goods.db.prisma.brand.findUnique({ where: { id: brandId } })).not.toBeNull();

      const { id } = (await goods.ok(CREATE, { input: { name: "Paired Only" } })).createBrand;
      await goods.ok(`mutation { createCategoryBrand(categoryId: "1", brandId: "${id}") { id } }`);
      const pairedOnly = await goods.run(DELETE, { id });
      expect(failure(pairedOnly)).toMatchObject({ code: "IN_USE" });
      expect(pairedOnly.errors?.[0]?.extensions?.usedBy).toEqual({ goods: 0, "category-brand pairs": 1 });
    });

    it("turns a foreign-key violation that slips past the check into IN_USE", async () => {
      const brandId = (await goods.db.prisma.goods.findFirstOrThrow()).brandId;
      const attempt = translateConstraintErrors({ foreignKey: () => inUse("Brand", brandId) }, () =>
        goods.db.prisma.brand.delete({ where: { id: brandId } }),
      );
      await expect(attempt).rejects.toMatchObject({ extensions: { code: "IN_USE", entity: "Brand" } });
    });
  });

  describe("banners", () => {
    const CREATE = `mutation($input: BannerInput!) { createBanner(input: $input) { id image url index } }`;
    const UPDATE = `mutation($id: ID!, $input: BannerInput!) { updateBanner(id: $id, input: $input) { id image url index } }`;
    const DELETE = `mutation($id: ID!) { deleteBanner(id: $id) }`;
    const valid = { image: "https://img.test/banner.jpg", url: "https://shop.test/sale" };

    it("creates banners (index 0 by default) that list in index order", async () => {
      const first = (await goods.ok(CREATE, { input: valid })).createBanner;
      expect(first).toMatchObject({ ...valid, index: 0 });
      const late = (await goods.ok(CREATE, { input: { ...valid, index: 99 } })).createBanner;
      const list = (await goods.ok("{ banners { id index } }")).banners;
      expect(list[0]).toEqual({ id: first.id, index: 0 });
      expect(list.at(-1)).toEqual({ id: late.id, index: 99 });
      expect(list.map((b: { index: number }) => b.index)).toEqual(
        [...list.map((b: { index: number }) => b.index)].sort((a, b) => a - b),
      );
    });

    it.each([
      [{ ...valid, image: "banner.jpg" }, "input.image"],
      [{ ...valid, image: `https://img.test/${"i".repeat(200)}` }, "input.image"],
      [{ ...valid, url: "javascript:void(0)" }, "input.url"],
      [{ ...valid, index: -1 }, "input.index"],
    ])("refuses %j with BAD_USER_INPUT on %s", async (input, field) => {
      const before = await goods.db.prisma.banner.count();
      expect(failure(await goods.run(CREATE, { input }))).toMatchObject({ code: "BAD_USER_INPUT", field });
      expect(failure(await goods.run(UPDATE, { id: "1", input }))).toMatchObject({ code: "BAD_USER_INPUT", field });
      expect(await goods.db.prisma.banner.count()).toBe(before);
    });

    it("updates and deletes banners; unknown ids are NOT_FOUND", async () => {
      const changed = { image: "http://img.test/new.jpg", url: "https://shop.test/new", index: 7 };
      expect((await goods.ok(UPDATE, { id: "2", input: changed })).updateBanner).toEqual({ id: "2", ...changed });
      expect(await goods.db.prisma.banner.findUniqueOrThrow({ where: { id: 2 } })).toEqual({ id: 2, ...changed });
      expect(await goods.ok(DELETE, { id: "2" })).toEqual({ deleteBanner: "2" });
      expect(await goods.db.prisma.banner.findUnique({ where: { id: 2 } })).toBeNull();
      expect(failure(await goods.run(DELETE, { id: "2" }))).toMatchObject({ code: "NOT_FOUND" });
      expect(failure(await goods.run(UPDATE, { id: "2", input: changed }))).toMatchObject({ code: "NOT_FOUND" });
    });
  });

  describe("category-brand pairs", () => {
    const FIELDS = "id category { id } brand { id }";
    const CREATE = `mutation($c: ID!, $b: ID!) { createCategoryBrand(categoryId: $c, brandId: $b) { ${FIELDS} } }`;
    const UPDATE = `mutation($id: ID!, $c: ID!, $b: ID!) { updateCategoryBrand(id: $id, categoryId: $c, brandId: $b) { ${FIELDS} } }`;
    const DELETE = `mutation($id: ID!) { deleteCategoryBrand(id: $id) }`;
    const count = () => goods.db.prisma.categoryBrand.count();
    let freeBrand: string;

    beforeAll(async () => {
      freeBrand = (await goods.db.prisma.brand.create({ data: { name: "Pairless" } })).id.toString();
    });

    it("creates a pair that shows under the category's brands", async () => {
      const data = await goods.ok(CREATE, { c: "2", b: freeBrand });
      expect(data.createCategoryBrand).toMatchObject({ category: { id: "2" }, brand: { id: freeBrand } });
      const category = await goods.ok(`{ category(id: "2") { brands { id } } }`);
      expect(category.category.brands).toContainEqual({ id: freeBrand });
    });

    it("refuses a duplicate pair with CONFLICT, and unknown ends with BAD_USER_INPUT", async () => {
      const before = await count();
      expect(failure(await goods.run(CREATE, { c: "2", b: freeBrand }))).toMatchObject({
        code: "CONFLICT",
        field: "brandId",
      });
      expect(failure(await goods.run(CREATE, { c: "99999", b: freeBrand }))).toMatchObject({
        code: "BAD_USER_INPUT",
        field: "categoryId",
      });
      expect(failure(await goods.run(CREATE, { c: "2", b: "99999" }))).toMatchObject({
        code: "BAD_USER_INPUT",
        field: "brandId",
      });
      expect(failure(await goods.run(CREATE, { c: "2", b: "b" }))).toMatchObject({
        code: "BAD_USER_INPUT",
        field: "brandId",
      });
      expect(await count()).toBe(before);
    });

    it("updates a pair, refusing one that already exists", async () => {
      const pair = (await goods.ok(CREATE, { c: "3", b: freeBrand })).createCategoryBrand;
      const moved = await goods.ok(UPDATE, { id: pair.id, c: "4", b: freeBrand });
      expect(moved.updateCategoryBrand).toEqual({ id: pair.id, category: { id: "4" }, brand: { id: freeBrand } });
      // Saving a pair as itself is fine.
      expect((await goods.ok(UPDATE, { id: pair.id, c: "4", b: freeBrand })).updateCategoryBrand.id).toBe(pair.id);
      expect(failure(await goods.run(UPDATE, { id: pair.id, c: "2", b: freeBrand }))).toMatchObject({
        code: "CONFLICT",
      });
      expect(failure(await goods.run(UPDATE, { id: pair.id, c: "99999", b: freeBrand }))).toMatchObject({
        code: "BAD_USER_INPUT",
        field: "categoryId",
      });
      expect(await goods.db.prisma.categoryBrand.findUniqueOrThrow({ where: { id: Number(pair.id) } })).toMatchObject({
        categoryId: 4,
        brandId: Number(freeBrand),
      });
      expect(failure(await goods.run(UPDATE, { id: "99999", c: "2", b: "1" }))).toMatchObject({ code: "NOT_FOUND" });
    });

    it("deletes a pair; a second delete is NOT_FOUND", async () => {
      const pair = (await goods.ok(CREATE, { c: "5", b: freeBrand })).createCategoryBrand;
      const before = await count();
      expect(await goods.ok(DELETE, { id: pair.id })).toEqual({ deleteCategoryBrand: pair.id });
      expect(await count()).toBe(before - 1);
      expect(failure(await goods.run(DELETE, { id: pair.id }))).toMatchObject({ code: "NOT_FOUND" });
    });
  });
});
