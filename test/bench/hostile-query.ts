/**
 * The most expensive anonymous query, with and without the limits (not a test):
 * `npm run bench:hostile`.
 *
 * Starts goods, inventory and the gateway as their own processes on throwaway
 * PostgreSQL databases (1,200 demo goods), once with the limits lifted (as the
 * services were before they had any) and once with the defaults, and sends
 * the same anonymous queries to each: 300 aliases of
 * `goodsList(pageSize: 100) { items { stocks } }`, and the category fan-out
 * `categories { children { children { brands } } }` × 1,000 aliases. Prints
 * each answer's time, code, and the goods subgraph's peak RSS (VmHWM).
 */
import { readFileSync } from "node:fs";
import { openGoodsDb } from "@emshop/db/goods";
import { openInventoryDb } from "@emshop/db/inventory";
import { migrate } from "@emshop/db/migrate";
import { seedGoods } from "@emshop/db/seed/seed-goods";
import { seedInventory } from "@emshop/db/seed/seed-inventory";
import { type ServiceProcess, spawnService } from "../support/service-process";
import { createBenchDatabase } from "./bench-database";

const aliases = (n: number, field: string) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(" ")} }`;
const QUERIES = {
  "300 × goodsList(pageSize: 100) { items { stocks } }": aliases(300, "goodsList(pageSize: 100) { items { stocks } }"),
  "1000 × categories { children { children { brands } } }": aliases(
    1000,
    "categories { children { children { brands { id } } } }",
  ),
};
const LIFTED = {
  MAX_ALIASES: "10000",
  MAX_DEPTH: "100",
  MAX_TOKENS: "1000000",
  MAX_COST: "100000000",
  MAX_DIRECTIVES: "10000",
  MAX_BODY_BYTES: "10000000",
  SUBGRAPH_QUERY_TIMEOUT_MS: "2000",
};
const peakMiB = (pid: number) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]) / 1024;

const goodsDb = await createBenchDatabase("hostile_goods");
const inventoryDb = await createBenchDatabase("hostile_inventory");
try {
  const goods = await openGoodsDb({ url: goodsDb.url });
  await migrate(goods.sql, "goods", { log: () => undefined });
  await seedGoods(goods);
  await goods.close();
  const inventory = await openInventoryDb({ url: inventoryDb.url });
  await migrate(inventory.sql, "inventory", { log: () => undefined });
  await seedInventory(inventory);
  await inventory.close();

  for (const [label, env] of [
    ["limits lifted", LIFTED],
    ["default limits", {}],
  ] as const) {
    const processes: ServiceProcess[] = [];
    try {
      const goodsService = await spawnService("subgraphs/goods/src/index.ts", {
        GOODS_DATABASE_URL: goodsDb.url,
        GOODS_PORT: "0",
        ...env,
      });
      processes.push(goodsService);
      const inventoryService = await spawnService("subgraphs/inventory/src/index.ts", {
        INVENTORY_DATABASE_URL: inventoryDb.url,
        INVENTORY_PORT: "0",
        ...env,
      });
      processes.push(inventoryService);
      const gateway = await spawnService("gateway/src/index.ts", {
        GATEWAY_PORT: "0",
        GOODS_URL: goodsService.url,
        INVENTORY_URL: inventoryService.url,
        ...env,
      });
      processes.push(gateway);
      console.log(`\n${label}: goods subgraph RSS at start ${peakMiB(goodsService.child.pid ?? 0).toFixed(0)} MiB`);
      for (const [name, query] of Object.entries(QUERIES)) {
        const started = performance.now();
        const response = await fetch(gateway.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ query }),
        });
        const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
        const ms = performance.now() - started;
        // The goods subgraph may still be working after the gateway gave up: give it time to peak.
        await new Promise((resolve) => setTimeout(resolve, 3000));
        const alive = goodsService.child.exitCode === null;
        console.log(
          `  ${name}: ${ms.toFixed(0)} ms, ${body.errors?.[0]?.extensions?.code ?? "answered"}, goods peak RSS ${alive ? `${peakMiB(goodsService.child.pid ?? 0).toFixed(0)} MiB` : "(goods subgraph died)"}`,
        );
      }
    } finally {
      for (const service of processes) service.child.kill("SIGKILL");
    }
  }
} finally {
  await goodsDb.drop();
  await inventoryDb.drop();
}
