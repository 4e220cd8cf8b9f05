/**
 * `npm run test:cluster`: the project on more than one process and a highly
 * available database, on this machine's loopback (README "Running it on more
 * than one machine"). Everything it starts it stops, also on failure or Ctrl-C.
 *
 *   2 gateways, 2 goods, 2 inventory (production bundles)   ← HAProxy (one route per tier)
 *   PgBouncer (transaction pooling) → HAProxy primary route → Patroni primary (+ synchronous standby)
 *   per database (goods, inventory); etcd for Patroni; goods reads the catalog from the replica route
 *
 * Phases: (1) stock storm while an inventory replica and a gateway are
 * SIGKILLed, then a drained rolling restart of all six; (2) the storm while
 * the inventory primary dies; (3) a stockChanged subscriber resuming after
 * its gateway is SIGKILLed; (4) catalog reads served by the standby.
 * Prints a table and, last, one JSON line; exit code 1 when a check fails.
 *
 * Installs HAProxy, Patroni, etcd and PgBouncer from Debian's packages when
 * missing (root or sudo). CLUSTER_OPS (default 3000) operations per storm, CLUSTER_CLIENTS (32) clients.
 */
import { openGoodsDb } from "@emshop/db/goods";
import { openInventoryDb } from "@emshop/db/inventory";
import { migrate } from "@emshop/db/migrate";
import { seedGoods } from "@emshop/db/seed/seed-goods";
import { importStockRows } from "@emshop/db/stock-import";
import { positive } from "../bench/env-settings";
import { asForSpawned } from "../support/tokens";
import { primaryFailover } from "./phases/primary-failover";
import { replicaReads } from "./phases/replica-reads";
import { replicaRestarts } from "./phases/replica-restarts";
import { subscriberResume } from "./phases/subscriber-resume";
import { printReport } from "./report";
import { clusterServices, planServices, TIERS } from "./services";
import { ensureTopologyPackages } from "./topology/packages";
import { type DatabaseTopology, startDatabaseTopology } from "./topology/topology";

const started = Date.now();
const log = (line: string) =>
  console.log(`[${String(Math.round((Date.now() - started) / 1000)).padStart(3)} s] ${line}`);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index);

const STORM_OPS = positive(process.env, "CLUSTER_OPS", 3000);
const CLIENTS = positive(process.env, "CLUSTER_CLIENTS", 32);
const STOCK = 400;
const RESTART_GOODS = range(1, 20);
const FAILOVER_GOODS = range(21, 40);
const SUBSCRIBER_GOODS = range(41, 45);

async function seed(topology: DatabaseTopology) {
  const goods = await openGoodsDb({ url: topology.databases.goods.primaryUrl });
  const inventory = await openInventoryDb({ url: topology.databases.inventory.primaryUrl });
  try {
    await migrate(goods.sql, "goods", { log: () => undefined });
    await migrate(inventory.sql, "inventory", { log: () => undefined });
    await seedGoods(goods);
    await importStockRows(
      inventory.sql,
      range(1, 60).map((goodsId) => ({ goodsId, stocks: STOCK })),
      { reason: "test:cluster setup" },
    );
  } finally {
    await goods.close();
    await inventory.close();
  }
}

async function main() {
  ensureTopologyPackages(log);
  const plan = await planServices();
  log("starting etcd, 2 × 2 Patroni members, HAProxy and PgBouncer…");
  const topology = await startDatabaseTopology({ services: plan.backends, log: (line) => log(`  ${line}`) });
  const services = clusterServices(topology, plan);
  let inventoryDb: Awaited<ReturnType<typeof openInventoryDb>> | undefined;
  try {
    log(
      `database topology up in ${topology.startupSeconds.toFixed(1)} s; migrating and seeding through the primaries…`,
    );
    await seed(topology);
    for (const tier of TIERS) {
      const replicas = services.replicas.filter((replica) => replica.tier === tier);
      await Promise.all(replicas.map((replica) => services.start(replica)));
      await Promise.all(replicas.map((replica) => services.waitRouted(replica)));
    }
    log(`six replicas serving behind HAProxy (gateway route ${services.urls.gateway})`);
    const orderHeaders = await asForSpawned("order-service", "cluster-order-service");
    const adminHeaders = await asForSpawned("admin", "cluster-admin");
    inventoryDb = await openInventoryDb({ url: topology.databases.inventory.primaryUrl, poolSize: 2 });

    log(`phase 1: ${STORM_OPS}+ operations from ${CLIENTS} clients, kills, then a drained rolling restart`);
    const restarts = await replicaRestarts(services, inventoryDb.sql, {
      goods: RESTART_GOODS,
      headers: orderHeaders,
      minOps: STORM_OPS,
      clients: CLIENTS,
      log: (line) => log(`  ${line}`),
    });
    await inventoryDb.close();
    inventoryDb = undefined;

    log(`phase 2: ${STORM_OPS}+ operations while the inventory primary is killed`);
    const failover = await primaryFailover(services, topology.databases.inventory, {
      goods: FAILOVER_GOODS,
      headers: orderHeaders,
      minOps: STORM_OPS,
      clients: CLIENTS,
      log: (line) => log(`  ${line}`),
    });

    log("phase 3: a stockChanged subscriber through the load balancer, its gateway SIGKILLed");
    const subscriber = await subscriberResume(services, topology.haproxy, {
      goods: SUBSCRIBER_GOODS,
      orderHeaders,
      auditHeaders: adminHeaders,
      sells: 150,
      log: (line) => log(`  ${line}`),
    });

    log("phase 4: catalog reads with replica routing");
    const reads = await replicaReads(services, topology.databases.goods, {
      reads: 600,
      adminHeaders,
      log: (line) => log(`  ${line}`),
    });

    const ok = printReport({ restarts, failover, subscriber, reads, seconds: (Date.now() - started) / 1000 });
    process.exitCode = ok ? 0 : 1;
  } finally {
    await inventoryDb?.close().catch(() => undefined);
    await services.stop();
    await topology.stop();
    log("stopped every process and removed the cluster's directory");
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
