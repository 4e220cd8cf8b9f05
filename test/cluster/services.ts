import { type BenchService, startService } from "../bench/catalog/services";
import type { ServiceBackend } from "./topology/haproxy";
import { freePorts } from "./topology/ports";
import type { DatabaseTopology } from "./topology/topology";
import { waitFor } from "./topology/wait";

/*
 * The application tier of `npm run test:cluster`: two gateways, two goods and
 * two inventory processes (production bundles, NODE_ENV=production), each on
 * a fixed port behind its HAProxy route, so a restarted replica comes back
 * where the load balancer expects it. Every replica reaches its database
 * through PgBouncer (transaction pooling) and HAProxy's primary route; goods
 * LISTENs over the primary route directly and reads the catalog from the
 * replica route.
 */

export type Tier = "gateway" | "goods" | "inventory";
export const TIERS: readonly Tier[] = ["goods", "inventory", "gateway"];
const DIRS: Record<Tier, string> = { gateway: "gateway", goods: "subgraphs/goods", inventory: "subgraphs/inventory" };
const PORT_VARIABLE: Record<Tier, string> = {
  gateway: "GATEWAY_PORT",
  goods: "GOODS_PORT",
  inventory: "INVENTORY_PORT",
};

/** HAProxy's check: every 1 s, down after 2 failures. A draining replica must answer 503 longer than that. */
export const SHUTDOWN_DELAY_MS = 3000;

export interface Replica {
  tier: Tier;
  /** e.g. inventory-2: also its HAProxy server name. */
  name: string;
  port: number;
  process: BenchService | null;
}

export interface ClusterServices {
  replicas: Replica[];
  /** The load balancer's /graphql of each tier. */
  urls: Record<Tier, string>;
  /** HAProxy's proxy name of each tier's route. */
  proxies: Record<Tier, string>;
  start(replica: Replica): Promise<void>;
  /** SIGKILL: no drain, connections cut. */
  kill(replica: Replica): Promise<void>;
  /** SIGTERM: the draining shutdown; resolves when the process exited. */
  drain(replica: Replica): Promise<void>;
  /** Waits until HAProxy routes to the replica again. */
  waitRouted(replica: Replica, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Ports for six replicas and three routes, and the HAProxy routes for them (to start the topology with). */
export async function planServices(): Promise<{ backends: ServiceBackend[]; replicas: Replica[] }> {
  const ports = await freePorts(9);
  const replicas: Replica[] = [];
  const backends: ServiceBackend[] = TIERS.map((tier, index) => {
    const servers = [1, 2].map((n) => {
      const replica = { tier, name: `${tier}-${n}`, port: ports[3 + index * 2 + n - 1] as number, process: null };
      replicas.push(replica);
      return { name: replica.name, port: replica.port };
    });
    return { name: tier, listenPort: ports[index] as number, servers };
  });
  return { backends, replicas };
}

export function clusterServices(
  topology: DatabaseTopology,
  plan: { backends: ServiceBackend[]; replicas: Replica[] },
  extraEnv: Record<string, string> = {},
): ClusterServices {
  const route = (tier: Tier) => plan.backends.find((backend) => backend.name === tier) as ServiceBackend;
  const urls = Object.fromEntries(
    TIERS.map((tier) => [tier, `http://127.0.0.1:${route(tier).listenPort}/graphql`]),
  ) as Record<Tier, string>;
  const proxies = Object.fromEntries(TIERS.map((tier) => [tier, `svc_${tier}`])) as Record<Tier, string>;
  const { goods, inventory } = topology.databases;
  const common = {
    LOG_LEVEL: "warn",
    DEMO_DATA: "false",
    SHUTDOWN_DELAY_MS: String(SHUTDOWN_DELAY_MS),
    SHUTDOWN_TIMEOUT_MS: "10000",
    // PgBouncer in transaction mode refuses these as startup parameters; its connect_query sets them.
    DB_SESSION_SETTINGS: "server",
    DB_POOL_SIZE: "8",
    ...extraEnv,
  };
  const env: Record<Tier, Record<string, string>> = {
    goods: {
      GOODS_DATABASE_URL: goods.pgbouncerUrl,
      GOODS_DATABASE_DIRECT_URL: goods.primaryUrl,
      GOODS_DATABASE_REPLICA_URLS: goods.replicaUrl,
    },
    inventory: { INVENTORY_DATABASE_URL: inventory.pgbouncerUrl },
    gateway: { GATEWAY_HOST: "127.0.0.1", GOODS_URL: urls.goods, INVENTORY_URL: urls.inventory },
  };

  const start = async (replica: Replica) => {
    replica.process = await startService(replica.name, DIRS[replica.tier], replica.port, {
      ...common,
      ...env[replica.tier],
      [PORT_VARIABLE[replica.tier]]: String(replica.port),
    });
  };
  const kill = async (replica: Replica) => {
    const child = replica.process?.child;
    replica.process = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  };
  const drain = async (replica: Replica) => {
    const service = replica.process;
    replica.process = null;
    await service?.stop();
  };
  const waitRouted = (replica: Replica, timeoutMs = 15_000) =>
    waitFor(
      `HAProxy to route to ${replica.name} again`,
      async () =>
        (await topology.haproxy.serverStates()).some(
          (state) => state.proxy === proxies[replica.tier] && state.server === replica.name && state.status === "UP",
        ),
      { timeoutMs, intervalMs: 100 },
    ).then(() => undefined);
  const stop = async () => {
    await Promise.allSettled(plan.replicas.map((replica) => kill(replica)));
  };
  return { replicas: plan.replicas, urls, proxies, start, kill, drain, waitRouted, stop };
}
