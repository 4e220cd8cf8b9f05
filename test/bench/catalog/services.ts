import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { repoRoot } from "@emshop/db/paths";
// @ts-expect-error: a plain .mjs build script without type declarations
import { bundleService } from "../../../tools/scripts/bundle-service.mjs";
import type { StackDatabases } from "../../support/process-stack";
import { SPAWNED_SERVICE_SECRET } from "../../support/tokens";

/**
 * goods, inventory and the project gateway as their own processes, like
 * `spawnStackServices` (NODE_ENV=production, the spawned services' secret,
 * but from their production bundles), but able to run at LOG_LEVEL=warn: `spawnService` waits
 * for the info-level "serving <url>" line, which warn suppresses, and info
 * would put one synchronous log write per request into every process under
 * test. So each gets a free port chosen here and counts as started once its
 * /health/ready answers 200.
 */

export interface BenchService {
  name: string;
  child: ChildProcess;
  pid: number;
  /** Its /graphql URL. */
  url: string;
  /** The last 64 KiB it printed (at LOG_LEVEL=info it prints a line per request). */
  output(): string;
  stop(): Promise<void>;
}

const KEEP_OUTPUT = 64 * 1024;
const START_TIMEOUT_MS = 120_000;

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * `BENCH_CPU_PROFILE=gateway,goods` runs those services under `--cpu-prof`:
 * each writes a `.cpuprofile` (open it in Chrome DevTools or speedscope) into
 * `BENCH_CPU_PROFILE_DIR/<service>/` (default `bench-results/profiles`) when it stops. For
 * finding where the time goes; a profiled run's figures are not comparable.
 */
function profileArguments(name: string): string[] {
  const wanted = (process.env.BENCH_CPU_PROFILE ?? "").split(",").map((entry) => entry.trim());
  if (!wanted.includes(name)) return [];
  const dir = process.env.BENCH_CPU_PROFILE_DIR || join(repoRoot, "bench-results", "profiles");
  return ["--cpu-prof", `--cpu-prof-dir=${join(dir, name)}`];
}

/** Started processes, SIGKILLed if the benchmark itself exits without stopping them. */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/**
 * The service in `dir` as a shop deploys it (`npm run start:prod`): its
 * esbuild bundle, run by plain Node. Under tsx, every `require` Apollo makes
 * per request (its hash helper requires crypto on each call) goes through
 * tsx's resolver, and esbuild's keepNames renames closures on every call:
 * about 2% of the gateway's CPU that production does not spend.
 */
export async function startService(name: string, dir: string, port: number, env: Record<string, string>) {
  await bundleService(join(repoRoot, dir));
  const child = spawn(
    process.execPath,
    [...profileArguments(name), "--enable-source-maps", join(dir, "dist", "index.js")],
    {
      cwd: repoRoot,
      env: { ...process.env, NODE_ENV: "production", AUTH_JWT_SECRET: SPAWNED_SERVICE_SECRET, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  running.add(child);
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-KEEP_OUTPUT);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  void exited.then(() => running.delete(child));
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const stop = async () => {
    if (gone()) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (gone())
      throw new Error(`${name} exited with ${child.exitCode ?? child.signalCode} before it was ready:\n${output}`);
    try {
      const response = await fetch(`${origin}/health/ready`, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${name} was not ready within ${START_TIMEOUT_MS / 1000} s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name} has no pid`);
  return { name, child, pid, url: `${origin}/graphql`, output: () => output, stop } satisfies BenchService;
}

export interface BenchServices {
  goods: BenchService;
  inventory: BenchService;
  gateway: BenchService;
  stop(): Promise<void>;
}

/** The two subgraphs (in parallel), then the gateway in front of them; on failure nothing is left running. */
export async function startServices(urls: StackDatabases["urls"], env: Record<string, string>): Promise<BenchServices> {
  const started: BenchService[] = [];
  const stop = async () => {
    await Promise.all(started.map((service) => service.stop()));
  };
  const start = async (name: string, dir: string, port: number, own: Record<string, string>) => {
    const service = await startService(name, dir, port, { ...own, ...env });
    started.push(service);
    return service;
  };
  try {
    const [goodsPort, inventoryPort, gatewayPort] = [await freePort(), await freePort(), await freePort()];
    // allSettled: if one fails, the other has finished starting (and is in `started`) before everything is stopped.
    const [goods, inventory] = (
      await Promise.allSettled([
        start("goods", "subgraphs/goods", goodsPort, {
          GOODS_DATABASE_URL: urls.goods,
          GOODS_PORT: String(goodsPort),
          DEMO_DATA: "false",
        }),
        start("inventory", "subgraphs/inventory", inventoryPort, {
          INVENTORY_DATABASE_URL: urls.inventory,
          INVENTORY_PORT: String(inventoryPort),
          DEMO_DATA: "false",
        }),
      ])
    ).map((result) => {
      if (result.status === "rejected") throw result.reason;
      return result.value;
    }) as [BenchService, BenchService];
    const gateway = await start("gateway", "gateway", gatewayPort, {
      GATEWAY_PORT: String(gatewayPort),
      GATEWAY_HOST: "127.0.0.1",
      GOODS_URL: goods.url,
      INVENTORY_URL: inventory.url,
    });
    return { goods, inventory, gateway, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
