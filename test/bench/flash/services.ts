import { setTimeout as sleep } from "node:timers/promises";
import { pidOf } from "../../support/process-stack";
import { type ServiceProcess, spawnService } from "../../support/service-process";

/** A service process of the benchmark, with the last lines it printed. */
export interface FlashService {
  name: string;
  pid: number;
  /** Its /graphql URL. */
  url: string;
  /** The last 64 KiB it printed. */
  tail(): string;
  stop(): Promise<void>;
}

const KEEP_OUTPUT = 64 * 1024;

/**
 * spawnService keeps everything a process prints and runs a regex over all of
 * it on every chunk; at LOG_LEVEL=info (which it needs to see "serving") the
 * services log a line per request, so over a benchmark's 100,000 sells that
 * would cost the bench process a copy of tens of MB per chunk, CPU it reports
 * as its own. Once started, only the tail is kept (and the pipe still drained,
 * or the service would block on its synchronous log writes).
 */
function keepTail(service: ServiceProcess): () => string {
  let output = service.output().slice(-KEEP_OUTPUT);
  for (const stream of [service.child.stdout, service.child.stderr]) {
    stream?.removeAllListeners("data");
    stream?.on("data", (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-KEEP_OUTPUT);
    });
  }
  return () => output;
}

async function start(name: string, entry: string, env: Record<string, string>): Promise<FlashService> {
  const service = await spawnService(entry, { ...env, LOG_LEVEL: "info" }, { timeoutMs: 120_000 });
  const tail = keepTail(service);
  const stop = async () => {
    if (service.child.exitCode !== null || service.child.signalCode !== null) return;
    service.child.kill("SIGTERM");
    await Promise.race([service.exited, sleep(20_000).then(() => service.child.kill("SIGKILL"))]);
  };
  return { name, pid: pidOf(service), url: service.url, tail, stop };
}

/** The inventory subgraph as its own process, group commit on or off. */
export const startInventory = (name: string, databaseUrl: string, groupCommit: boolean, maxBatch: number) =>
  start(name, "subgraphs/inventory/src/index.ts", {
    INVENTORY_DATABASE_URL: databaseUrl,
    INVENTORY_PORT: "0",
    DEMO_DATA: "false",
    SELL_GROUP_COMMIT: String(groupCommit),
    SELL_GROUP_COMMIT_MAX_BATCH: String(maxBatch),
  });

/** The gateway in front of one inventory process (sellStock needs inventory alone; goods is never called). */
export const startGateway = (name: string, inventoryUrl: string) =>
  start(name, "gateway/src/index.ts", {
    GATEWAY_PORT: "0",
    INVENTORY_URL: inventoryUrl,
    GOODS_URL: "http://127.0.0.1:9/graphql",
  });

/** The sum of a metric's samples (all label sets) on a service's /metrics; null when it has none. */
export async function metricTotal(graphqlUrl: string, name: string): Promise<number | null> {
  const text = await (await fetch(new URL("/metrics", graphqlUrl), { signal: AbortSignal.timeout(10_000) })).text();
  const samples = [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})?\\s+(\\S+)`, "gm"))];
  return samples.length === 0 ? null : samples.reduce((sum, sample) => sum + Number(sample[1]), 0);
}
