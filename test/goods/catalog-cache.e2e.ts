import { setTimeout as sleep } from "node:timers/promises";
import { seedGoods } from "@emshop/db/seed/seed-goods";
import { startGoodsService } from "@emshop/goods/main";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql } from "../support/graphql-client";
import { quietLogger } from "../support/logs";
import { createTestDatabase, onPostgres, type TestDatabase } from "../support/test-database";

/**
 * The goods subgraph's catalog cache (subgraphs/goods/src/catalog-cache.ts)
 * and its remembered counts (count-memo.ts): fewer statements per page, and
 * never a stale answer: on PostgreSQL two
 * replicas share one database and learn of each other's writes (and of writes
 * from outside) through NOTIFY; while a replica cannot listen it reads the
 * database instead.
 */

const PAGE = `{ goodsList(pageSize: 10) { total items { id category { id name parent { id } } brand { id name } } } }`;
const CATEGORY_TREE = `{ categories { id name children { id name children { id } brands { id name } } } }`;

type Goods = Awaited<ReturnType<typeof startGoodsService>>;

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 3000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe("catalog cache", () => {
  let database: TestDatabase;
  const statements: Record<"a" | "b", string[]> = { a: [], b: [] };
  let a: Goods;
  let b: Goods | undefined; // a second replica on the same database (PostgreSQL only: PGlite is in-process)

  beforeAll(async () => {
    database = await createTestDatabase("catalog_cache");
    const start = (replica: "a" | "b") =>
      startGoodsService({
        port: 0,
        database: { url: database.url, onQuery: (sql) => statements[replica].push(sql) },
        logger: quietLogger(),
        demoData: false,
      });
    a = await start("a");
    await seedGoods(a.db, { goodsCount: 30 });
    if (onPostgres) b = await start("b");
  });
  afterAll(async () => {
    await Promise.allSettled([a?.stop(), b?.stop()]);
    await database?.drop();
  });

  const brandName = async (service: Goods, id: string) =>
    (await gql(service.url, `{ goods(id: "1") { brand { id name } } }`)).data?.goods.brand.id === id
      ? (await gql(service.url, `{ goods(id: "1") { brand { name } } }`)).data?.goods.brand.name
      : undefined;

  it("a catalog page costs two statements (goods, count) once the copy is loaded, one once its count is remembered", async () => {
    const fresh = `{ goodsList(pageSize: 10, filter: { priceMin: 0 }) { total items { id category { id name parent { id } } brand { id name } } } }`;
    await gql(a.url, PAGE); // loads the copy
    statements.a.length = 0;
    const first = await gql(a.url, fresh);
    expect(first.errors).toBeUndefined();
    expect(first.data?.goodsList.items).toHaveLength(10);
    expect(statements.a).toHaveLength(2);
    expect(statements.a.join("\n")).not.toMatch(/"category"|"brand"/);
    expect(statements.a.join("\n")).toMatch(/COUNT\(/i);
    statements.a.length = 0;
    const again = await gql(a.url, fresh);
    expect(again.data).toEqual(first.data);
    expect(statements.a).toHaveLength(1);
    expect(statements.a.join("\n")).not.toMatch(/COUNT\(/i);
  });

  const totalOf = async (service: Goods, filter = "{ isHot: true }") =>
    (await gql(service.url, `{ goodsList(pageSize: 1, filter: ${filter}) { total totalUpTo(limit: 1000) { count } } }`))
      .data?.goodsList as { total: number; totalUpTo: { count: number } };

  it("a goods mutation of this replica shows in the next count at once", async () => {
    const before = await totalOf(a);
    await totalOf(a); // remembered now
    const leaf = (await a.db.prisma.category.findFirst({ where: { level: 3 } }))?.id;
    const created = await gql(a.url, `mutation($input: CreateGoodsInput!) { createGoods(input: $input) { id } }`, {
      input: {
        goodsSn: "COUNT-1",
        name: "Counted Kettle",
        brief: "Counted",
        marketPrice: 10,
        shopPrice: 9,
        frontImage: "https://img.test/k.jpg",
        categoryId: String(leaf),
        brandId: "1",
        isHot: true,
      },
    });
    expect(created.errors).toBeUndefined();
    // No wait: this replica dropped its counts when the mutation returned.
    expect(await totalOf(a)).toEqual({ total: before.total + 1, totalUpTo: { count: before.totalUpTo.count + 1 } });
  });

  it("a goods write from outside the service (an import, psql) is notified: the counts follow", async () => {
    const before = await totalOf(a);
    if (b) await totalOf(b);
    await a.db.sql.query("UPDATE goods SET is_hot = NOT is_hot WHERE id = (SELECT min(id) FROM goods WHERE is_hot)");
    const after = { total: before.total - 1, totalUpTo: { count: before.totalUpTo.count - 1 } };
    await until("replica a to count the SQL write", async () => (await totalOf(a)).total === after.total);
    expect(await totalOf(a)).toEqual(after);
    if (b)
      await until("replica b to count the SQL write", async () => (await totalOf(b as Goods)).total === after.total);
  });

  it.skipIf(!onPostgres)(
    `the other replica forgets its counts on a goods mutation's NOTIFY${onPostgres ? "" : " (skipped: needs TEST_DATABASE_URL, two replicas on one PostgreSQL)"}`,
    async () => {
      const replica = b as Goods;
      const before = await totalOf(replica, "{ isNew: true }");
      const remembered = replica.db.catalog?.counts()?.stats.hits ?? 0;
      await totalOf(replica, "{ isNew: true }");
      expect(replica.db.catalog?.counts()?.stats.hits).toBeGreaterThan(remembered); // served from memory
      const id = (await a.db.prisma.goods.findFirst({ where: { isNew: false }, select: { id: true } }))?.id;
      const updated = await gql(a.url, `mutation { updateGoods(id: "${id}", input: { isNew: true }) { id } }`);
      expect(updated.errors).toBeUndefined();
      await until(
        "replica b to count a's write",
        async () => (await totalOf(replica, "{ isNew: true }")).total === before.total + 1,
      );
    },
  );

  it.skipIf(!onPostgres)(
    `answers exactly as without the cache${onPostgres ? "" : " (skipped: needs TEST_DATABASE_URL, a second service on the same database)"}`,
    async () => {
      const uncached = await startGoodsService({
        port: 0,
        database: { url: database.url },
        logger: quietLogger(),
        demoData: false,
        catalogCache: false,
      });
      try {
        for (const query of [PAGE, CATEGORY_TREE, `{ goodsList(filter: { topCategory: "1" }) { total } }`])
          expect((await gql(a.url, query)).data).toEqual((await gql(uncached.url, query)).data);
      } finally {
        await uncached.stop();
      }
    },
  );

  it("a mutation's own answer and the next read show the change at once", async () => {
    await gql(a.url, PAGE);
    const goods = await gql(a.url, `{ goods(id: "1") { brand { id } } }`);
    const brandId = goods.data?.goods.brand.id as string;
    const renamed = await gql(
      a.url,
      `mutation { updateBrand(id: "${brandId}", input: { name: "Renamed by A" }) { id name } }`,
    );
    expect(renamed.errors).toBeUndefined();
    expect(await brandName(a, brandId)).toBe("Renamed by A");
  });

  it.skipIf(!onPostgres)(
    `the other replica learns of it through NOTIFY${onPostgres ? "" : " (skipped: needs TEST_DATABASE_URL, two replicas on one PostgreSQL)"}`,
    async () => {
      const replica = b as Goods;
      const goods = await gql(replica.url, `{ goods(id: "1") { brand { id name } } }`); // b has a copy now
      const brandId = goods.data?.goods.brand.id as string;
      const loadsBefore = replica.db.catalog?.loads ?? 0;
      await gql(a.url, `mutation { updateBrand(id: "${brandId}", input: { name: "Seen by B" }) { id } }`);
      await until("replica b to show the new name", async () => (await brandName(replica, brandId)) === "Seen by B");
      expect(replica.db.catalog?.loads).toBeGreaterThan(loadsBefore);
    },
  );

  it("a write from outside the service (plain SQL) invalidates too", async () => {
    const goods = await gql(a.url, `{ goods(id: "1") { brand { id } } }`);
    const brandId = goods.data?.goods.brand.id as string;
    await a.db.sql.query("UPDATE brand SET name = $1 WHERE id = $2", ["Renamed in SQL", Number(brandId)]);
    await until("replica a to show the SQL write", async () => (await brandName(a, brandId)) === "Renamed in SQL");
    if (b)
      await until(
        "replica b to show the SQL write",
        async () => (await brandName(b as Goods, brandId)) === "Renamed in SQL",
      );
  });

  it.skipIf(!onPostgres)(
    `while its listening connection is gone a replica reads the database; it listens again by itself${onPostgres ? "" : " (skipped: needs TEST_DATABASE_URL)"}`,
    async () => {
      const replica = b as Goods;
      const goods = await gql(replica.url, `{ goods(id: "1") { brand { id } } }`);
      const brandId = goods.data?.goods.brand.id as string;
      const superuser = new pg.Client({ connectionString: database.url });
      await superuser.connect();
      try {
        // Cut every LISTEN connection (both replicas'); a write right after cannot be notified to them.
        await superuser.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN %'",
        );
        await until("replica b to notice", async () => replica.db.catalog?.listening === false, 2000);
        expect(replica.db.catalog?.counts()).toBeUndefined(); // nor are counts remembered meanwhile
        await superuser.query("UPDATE brand SET name = 'Unnotified' WHERE id = $1", [Number(brandId)]);
        expect(await brandName(replica, brandId)).toBe("Unnotified"); // read from the database, not the old copy
        await until("replica b to listen again", async () => replica.db.catalog?.listening === true, 5000);
        statements.b.length = 0;
        await gql(replica.url, PAGE);
        await gql(replica.url, PAGE);
        // Cached again: the first page loaded the copy (3 statements) and both pages cost 2 each.
        expect(statements.b.length).toBeLessThanOrEqual(7);
        expect(await brandName(replica, brandId)).toBe("Unnotified");
      } finally {
        await superuser.end();
      }
    },
  );
});
