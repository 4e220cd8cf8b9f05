import net from "node:net";
import { type GoodsDb, openGoodsDb } from "@emshop/db/goods";
import { migrate } from "@emshop/db/migrate";
import { seedGoods } from "@emshop/db/seed/seed-goods";
import { startGoodsService } from "@emshop/goods/main";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql } from "../support/graphql-client";
import { quietLogger } from "../support/logs";
import { createTestDatabase, onPostgres, type TestDatabase } from "../support/test-database";

/**
 * GOODS_DATABASE_REPLICA_URLS: the catalog queries read from a replica, every
 * mutation (and what its answer reads) and the catalog cache stay on the
 * primary, and a replica that cannot answer hands the read to the primary
 * (db_replica_fallbacks_total). The "replica" here is a second throwaway
 * database seeded differently (fewer goods, every name marked "R~"),
 * so each answer shows which server gave it; making a real streaming standby
 * of the machine's server is not this test's business (the cluster test does).
 */

type Goods = Awaited<ReturnType<typeof startGoodsService>>;

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** `name{labels…} value` lines of a metric in a Prometheus text exposition, summed over matching samples. */
async function metric(service: Goods, name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(new URL("/metrics", service.url))).text();
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`)))
      sum += Number(line.split(" ").at(-1));
  }
  return sum;
}

const PRIMARY_GOODS = 30;
const REPLICA_GOODS = 20;

// Without PostgreSQL it is skipped, saying why; on CI its absence is a failure, not a skip.
describe.skipIf(!onPostgres && !process.env.CI)(
  "catalog reads from a read replica (PostgreSQL only: several servers' worth of pools)",
  () => {
    if (!onPostgres) {
      it("needs PostgreSQL on CI (TEST_DATABASE_URL)", () => expect.fail("TEST_DATABASE_URL is not set"));
      return;
    }
    let primaryDb: TestDatabase;
    let replicaDb: TestDatabase;
    let seedPrimary: GoodsDb;
    let goods: Goods; // catalog cache off: every read goes to the database
    let cached: Goods; // catalog cache on (the default)
    let fallback: Goods; // its replica is down

    beforeAll(async () => {
      [primaryDb, replicaDb] = [
        await createTestDatabase("replica_primary"),
        await createTestDatabase("replica_replica"),
      ];
      seedPrimary = await openGoodsDb({ url: primaryDb.url });
      const replica = await openGoodsDb({ url: replicaDb.url });
      try {
        await migrate(seedPrimary.sql, "goods", { log: () => undefined });
        await migrate(replica.sql, "goods", { log: () => undefined });
        await seedGoods(seedPrimary, { goodsCount: PRIMARY_GOODS });
        await seedGoods(replica, { goodsCount: REPLICA_GOODS });
        // Names are short columns (VARCHAR(20) for brands and categories): a two-character mark.
        await replica.sql.exec(`UPDATE goods SET name = 'R~' || name;
        UPDATE brand SET name = 'R~' || left(name, 18);
        UPDATE category SET name = 'R~' || left(name, 18);
        UPDATE banner SET url = 'https://replica.example/' || id`);
      } finally {
        await replica.close();
      }
      const start = (replicaUrls: string[], catalogCache: boolean) =>
        startGoodsService({
          port: 0,
          database: { url: primaryDb.url },
          replicaUrls,
          catalogCache,
          logger: quietLogger(),
          demoData: false,
        });
      goods = await start([replicaDb.url], false);
      cached = await start([replicaDb.url], true);
      fallback = await start([`postgresql://postgres@127.0.0.1:${await closedPort()}/gone`], false);
    });
    afterAll(async () => {
      await Promise.allSettled([goods?.stop(), cached?.stop(), fallback?.stop()]);
      await seedPrimary?.close();
      await Promise.allSettled([primaryDb?.drop(), replicaDb?.drop()]);
    });

    it("goodsList, goods(id), categories, brands, banners and totals are read from the replica", async () => {
      const replicaStatements = await metric(goods, "db_statements_total", { service: "goods", target: "replica" });
      const { data, errors } = await gql(
        goods.url,
        `{ goodsList(pageSize: 3) { total totalUpTo(limit: 1000) { count } items { name category { name } brand { name } } }
         filtered: goodsList(pageSize: 1, filter: { topCategory: "1" }) { total }
         goods(id: "1") { name }
         categories { name children { name } }
         brands(pageSize: 2) { total items { name } }
         banners { url } }`,
      );
      expect(errors).toBeUndefined();
      expect(data?.goodsList.total).toBe(REPLICA_GOODS);
      expect(data?.goodsList.totalUpTo.count).toBe(REPLICA_GOODS); // raw SQL (countGoodsUpTo) on the replica too
      for (const item of data?.goodsList.items ?? []) {
        expect(item.name).toMatch(/^R~/);
        expect(item.category.name).toMatch(/^R~/);
        expect(item.brand.name).toMatch(/^R~/);
      }
      expect(data?.goods.name).toMatch(/^R~/);
      expect(data?.categories.every((category: { name: string }) => category.name.startsWith("R~"))).toBe(true);
      expect(data?.brands.items.every((brand: { name: string }) => brand.name.startsWith("R~"))).toBe(true);
      expect(data?.banners.every((banner: { url: string }) => banner.url.startsWith("https://replica.example/"))).toBe(
        true,
      );
      expect(await metric(goods, "db_statements_total", { service: "goods", target: "replica" })).toBeGreaterThan(
        replicaStatements,
      );
    });

    it("entity resolution of Goods (the gateway's _entities) reads the replica", async () => {
      const { data, errors } = await gql(
        goods.url,
        `query($r: [_Any!]!) { _entities(representations: $r) { ... on Goods { id name } } }`,
        {
          r: [
            { __typename: "Goods", id: "2" },
            { __typename: "Goods", id: String(PRIMARY_GOODS) },
          ],
        },
      );
      expect(errors).toBeUndefined();
      // Goods 30 exists on the primary only: the replica answers that it does not exist.
      expect(data?._entities).toEqual([{ id: "2", name: expect.stringMatching(/^R~/) }, null]);
    });

    it("a mutation reads and answers from the primary; a read right after may not see it yet (replica lag)", async () => {
      const primaryStatements = await metric(goods, "db_statements_total", { service: "goods", target: "primary" });
      const replicaStatements = await metric(goods, "db_statements_total", { service: "goods", target: "replica" });
      const updated = await gql(
        goods.url,
        `mutation { updateGoods(id: "3", input: { name: "written on the primary" }) { id name category { name } brand { name } } }`,
      );
      expect(updated.errors).toBeUndefined();
      expect(updated.data?.updateGoods.name).toBe("written on the primary");
      // The answer's nested fields (loaders) come from the primary as well, never from the replica.
      expect(updated.data?.updateGoods.category.name).not.toMatch(/^R~/);
      expect(updated.data?.updateGoods.brand.name).not.toMatch(/^R~/);
      expect(await metric(goods, "db_statements_total", { service: "goods", target: "primary" })).toBeGreaterThan(
        primaryStatements,
      );
      expect(await metric(goods, "db_statements_total", { service: "goods", target: "replica" })).toBe(
        replicaStatements,
      );
      // This "replica" never replays the primary: what a lagging one shows in the moment after a write.
      const read = await gql(goods.url, `{ goods(id: "3") { name } }`);
      expect(read.data?.goods.name).toMatch(/^R~/);
    });

    it("the catalog cache is loaded from the primary; the goods themselves from the replica", async () => {
      const { data, errors } = await gql(
        cached.url,
        `{ categories { name } goodsList(pageSize: 2) { total items { name category { name } brand { name } } } }`,
      );
      expect(errors).toBeUndefined();
      expect(cached.db.catalog?.listening).toBe(true);
      expect(data?.categories.some((category: { name: string }) => category.name.startsWith("R~"))).toBe(false);
      expect(data?.goodsList.total).toBe(REPLICA_GOODS);
      for (const item of data?.goodsList.items ?? []) {
        expect(item.name).toMatch(/^R~/);
        expect(item.category.name).not.toMatch(/^R~/);
      }
    });

    it("a replica that cannot be reached: the read is answered from the primary, counted in db_replica_fallbacks_total", async () => {
      expect(await metric(fallback, "db_replica_fallbacks_total", { service: "goods" })).toBe(0);
      const { data, errors } = await gql(
        fallback.url,
        `{ goodsList(pageSize: 2) { total totalUpTo { count } items { name } } goods(id: "1") { name } }`,
      );
      expect(errors).toBeUndefined();
      expect(data?.goodsList.total).toBe(PRIMARY_GOODS);
      expect(data?.goodsList.totalUpTo.count).toBe(PRIMARY_GOODS);
      expect(data?.goods.name).not.toMatch(/^R~/);
      expect(await metric(fallback, "db_replica_fallbacks_total", { service: "goods" })).toBeGreaterThanOrEqual(3);
      expect(await metric(fallback, "db_statements_total", { service: "goods", target: "replica" })).toBe(0);
      // Readiness follows the primary: a replica down does not take the service out.
      expect((await fetch(new URL("/health/ready", fallback.url))).status).toBe(200);
    });
  },
);
