import { readdirSync, readFileSync } from "node:fs";
import { openGoodsDb } from "@emshop/db/goods";
import { openInventoryDb } from "@emshop/db/inventory";
import { migrate } from "@emshop/db/migrate";
import { seedGoods } from "@emshop/db/seed/seed-goods";
import { seedInventory } from "@emshop/db/seed/seed-inventory";
import { seedTestData } from "./seed";
import { type ServiceProcess, spawnService } from "./service-process";
import { createTestDatabase, onPostgres } from "./test-database";

/**
 * The whole system as production runs it: goods, inventory and the gateway as
 * three separate OS processes (`node --import tsx <entry>`, NODE_ENV=production)
 * on throwaway PostgreSQL databases. Unlike `startStack` (one process, the
 * services imported), a runaway request here costs its own process CPU and
 * memory, which `cpuSeconds`/`peakRssMiB` read from /proc.
 */

/** The spawned services need databases another process can reach: PostgreSQL (PGlite lives in one process). */
export const processStackAvailable = onPostgres;
export const processStackUnavailableReason =
  "TEST_DATABASE_URL is not set: the process stack runs each service as its own OS process, which needs a " +
  "PostgreSQL server they can all reach (embedded PGlite is in-process only). Set e.g. " +
  "TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres to run it.";

export type ServiceName = "gateway" | "goods" | "inventory";
export const SERVICE_NAMES: readonly ServiceName[] = ["gateway", "goods", "inventory"];

/** "small": the in-process tests' data (`seedTestData(…, "small")`); "bench": the full 1,200-goods demo catalog. */
export type ProcessStackSeed = "small" | "bench";

/** Creates a throwaway database (default `createTestDatabase`; the benchmarks pass `createBenchDatabase`). */
export type DatabaseFactory = (label: string) => Promise<{ url: string; drop(): Promise<unknown> }>;

export interface StackDatabases {
  urls: { goods: string; inventory: string };
  drop(): Promise<void>;
}

const quiet = () => undefined;

/** Two migrated, seeded throwaway databases (goods, inventory), closed again so only the services hold connections. */
export async function createStackDatabases(
  options: { seed?: ProcessStackSeed; createDatabase?: DatabaseFactory } = {},
): Promise<StackDatabases> {
  if (!options.createDatabase && !processStackAvailable) throw new Error(processStackUnavailableReason);
  const create = options.createDatabase ?? createTestDatabase;
  const created: { drop(): Promise<unknown> }[] = [];
  const drop = async () => {
    await Promise.allSettled(created.map((db) => db.drop()));
  };
  try {
    const goodsDatabase = await create("proc_goods");
    created.push(goodsDatabase);
    const inventoryDatabase = await create("proc_inventory");
    created.push(inventoryDatabase);
    const goods = await openGoodsDb({ url: goodsDatabase.url });
    const inventory = await openInventoryDb({ url: inventoryDatabase.url });
    try {
      await migrate(goods.sql, "goods", { log: quiet });
      await migrate(inventory.sql, "inventory", { log: quiet });
      if (options.seed === "bench") {
        await seedGoods(goods);
        await seedInventory(inventory);
      } else {
        await seedTestData(goods, inventory, "small");
      }
    } finally {
      await goods.close();
      await inventory.close();
    }
    return { urls: { goods: goodsDatabase.url, inventory: inventoryDatabase.url }, drop };
  } catch (error) {
    await drop();
    throw error;
  }
}

export interface ServiceStack {
  gateway: ServiceProcess;
  goods: ServiceProcess;
  inventory: ServiceProcess;
  /** The gateway's /graphql URL. */
  url: string;
  /** SIGTERM to each process, then wait for it to exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  /** Environment for all three processes (e.g. limits). */
  env?: Record<string, string>;
  /** Environment for one of them only (e.g. NODE_OPTIONS for goods). */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
}

/** Children still running when this process exits are killed, so a crashed test run leaves no services behind. */
const running = new Set<ServiceProcess>();
let exitHookInstalled = false;
function track(service: ServiceProcess) {
  running.add(service);
  void service.exited.then(() => running.delete(service));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => {
      for (const child of running) child.child.kill("SIGKILL");
    });
  }
  return service;
}

async function stopService(service: ServiceProcess, graceMs: number) {
  if (service.child.exitCode !== null || service.child.signalCode !== null) return;
  service.child.kill("SIGTERM");
  const timer = setTimeout(() => service.child.kill("SIGKILL"), graceMs);
  await service.exited;
  clearTimeout(timer);
}

const SPAWN_TIMEOUT_MS = 120_000;

/** Spawns the two subgraphs (in parallel) on existing databases, then the gateway in front of them. */
export async function spawnStackServices(
  urls: StackDatabases["urls"],
  options: SpawnOptions = {},
): Promise<ServiceStack> {
  const env = options.env ?? {};
  const spawned: ServiceProcess[] = [];
  const stopAll = async (graceMs = 20_000) => {
    await Promise.all(spawned.map((service) => stopService(service, graceMs)));
  };
  const start = async (name: ServiceName, entry: string, own: Record<string, string>) => {
    const service = track(
      await spawnService(entry, { ...own, ...env, ...options.serviceEnv?.[name] }, { timeoutMs: SPAWN_TIMEOUT_MS }),
    );
    spawned.push(service);
    return service;
  };
  try {
    // allSettled, not all: if one fails the other must have finished starting before it is stopped.
    const [goods, inventory] = (
      await Promise.allSettled([
        start("goods", "subgraphs/goods/src/index.ts", {
          GOODS_DATABASE_URL: urls.goods,
          GOODS_PORT: "0",
          DEMO_DATA: "false",
        }),
        start("inventory", "subgraphs/inventory/src/index.ts", {
          INVENTORY_DATABASE_URL: urls.inventory,
          INVENTORY_PORT: "0",
          DEMO_DATA: "false",
        }),
      ])
    ).map((result) => {
      if (result.status === "rejected") throw result.reason;
      return result.value;
    }) as [ServiceProcess, ServiceProcess];
    const gateway = await start("gateway", "gateway/src/index.ts", {
      GATEWAY_PORT: "0",
      GOODS_URL: goods.url,
      INVENTORY_URL: inventory.url,
    });
    return { gateway, goods, inventory, url: gateway.url, stop: stopAll };
  } catch (error) {
    // One failed to start: the others must not outlive it.
    await stopAll(5000);
    throw error;
  }
}

export interface ProcessStack extends ServiceStack {
  databaseUrls: StackDatabases["urls"];
  /** Stops the three processes, then drops both databases. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Fresh databases (migrated, seeded), then the three services as their own
 * processes. Needs TEST_DATABASE_URL unless `createDatabase` is given.
 */
export async function spawnProcessStack(
  options: SpawnOptions & { seed?: ProcessStackSeed; createDatabase?: DatabaseFactory } = {},
): Promise<ProcessStack> {
  const databases = await createStackDatabases(options);
  let services: ServiceStack;
  try {
    services = await spawnStackServices(databases.urls, options);
  } catch (error) {
    await databases.drop();
    throw error;
  }
  return {
    ...services,
    databaseUrls: databases.urls,
    async stop(graceMs?: number) {
      await services.stop(graceMs);
      await databases.drop();
    },
  };
}

/** The process's pid (throws if it has none, i.e. it never started). */
export function pidOf(service: ServiceProcess): number {
  const { pid } = service.child;
  if (pid === undefined) throw new Error("the service process has no pid");
  return pid;
}

/** Whether the spawned process is still running. */
export const isAlive = (service: ServiceProcess) =>
  service.child.exitCode === null && service.child.signalCode === null;

/** Clock ticks per second of /proc/<pid>/stat times (`getconf CLK_TCK`: 100 on Linux). */
const CLOCK_TICKS = 100;

/** The fields of /proc/<pid>/stat after the command name: index 0 is field 3 (state). */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Field 2 is "(comm)", and comm may contain spaces and parentheses: everything after the last ")" is fixed.
  return stat
    .slice(stat.lastIndexOf(")") + 1)
    .trim()
    .split(/\s+/);
}
const field = (fields: string[], n: number) => Number(fields[n - 3]);

/** CPU seconds the process has used so far, user + system (fields 14 and 15 of /proc/<pid>/stat). */
export function cpuSeconds(pid: number): number {
  const fields = statFields(pid);
  return (field(fields, 14) + field(fields, 15)) / CLOCK_TICKS;
}

function statusKiB(pid: number, key: "VmHWM" | "VmRSS"): number {
  const match = new RegExp(`^${key}:\\s+(\\d+)\\s+kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!match?.[1]) throw new Error(`/proc/${pid}/status has no ${key}`);
  return Number(match[1]);
}

/** The process's peak resident memory over its whole lifetime (VmHWM), in MiB. */
export const peakRssMiB = (pid: number) => statusKiB(pid, "VmHWM") / 1024;

/** The process's resident memory now (VmRSS), in MiB. */
export const rssMiB = (pid: number) => statusKiB(pid, "VmRSS") / 1024;

/**
 * CPU seconds all PostgreSQL processes on this machine have used (every
 * process whose comm is `postgres`): their own user + system time, plus, for
 * the postmaster, the time of backends that already exited (cutime + cstime,
 * fields 16 and 17), so connections closed between two readings still count.
 * Machine-wide: includes anything else using the same server.
 */
export function postgresCpuSeconds(): number {
  const postgres = new Map<number, string[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() === "postgres")
        postgres.set(Number(entry), statFields(Number(entry)));
    } catch {
      // gone between listing and reading
    }
  }
  let ticks = 0;
  for (const fields of postgres.values()) {
    ticks += field(fields, 14) + field(fields, 15);
    if (!postgres.has(field(fields, 4))) ticks += field(fields, 16) + field(fields, 17);
  }
  return ticks / CLOCK_TICKS;
}
