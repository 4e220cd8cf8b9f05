/**
 * Degradation benchmark (not a test): `npm run bench:degraded`.
 *
 * The three services as their own processes (NODE_ENV=production) on
 * throwaway PostgreSQL databases with the 1,200-goods demo catalog. The
 * catalog query `goodsList(pageSize: 20) { items { id name stocks } }` is sent
 * by BENCH_CONCURRENCY (default 10) clients for BENCH_SECONDS (default 10) per
 * phase: inventory healthy, inventory killed (SIGKILL), inventory frozen
 * (SIGSTOP). Printed per phase: requests, p50/p99/max, and how the answers
 * looked (full / stocks null / of those, failed fast by the open circuit).
 * Then the time from inventory's restart (a new process on the same port,
 * measured from when it logs "serving") and from SIGCONT to the first full
 * answer (every `stocks` non-null), with the load still running.
 *
 * The gateway runs with its defaults unless the environment says otherwise,
 * e.g. `CIRCUIT_FAILURE_THRESHOLD=1000000 npm run bench:degraded` for the same
 * phases without an effective circuit breaker.
 *
 * Env: BENCH_DATABASE_URL or TEST_DATABASE_URL (PostgreSQL, default postgresql://postgres@127.0.0.1:5432/postgres).
 */
import { createServer } from "node:net";
import { pidOf, spawnProcessStack } from "../support/process-stack";
import { type ServiceProcess, spawnService } from "../support/service-process";
import { createBenchDatabase } from "./bench-database";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 10);
const BODY = JSON.stringify({ query: "{ goodsList(pageSize: 20) { items { id name stocks } } }" });

interface Sample {
  at: number;
  ms: number;
  kind: "full" | "degraded" | "failed fast" | "error";
}

async function once(url: string): Promise<Sample> {
  const at = performance.now();
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: BODY,
      signal: AbortSignal.timeout(30_000),
    });
    const body = (await response.json()) as {
      data?: { goodsList?: { items: { stocks: number | null }[] } };
      errors?: { extensions?: { code?: string; circuitOpen?: boolean } }[];
    };
    const ms = performance.now() - at;
    const items = body.data?.goodsList?.items ?? [];
    if (items.length === 0) return { at, ms, kind: "error" };
    if (!body.errors?.length && items.every((item) => item.stocks !== null)) return { at, ms, kind: "full" };
    const open = body.errors?.some((error) => error.extensions?.circuitOpen);
    return { at, ms, kind: open ? "failed fast" : "degraded" };
  } catch {
    return { at, ms: performance.now() - at, kind: "error" };
  }
}

/** CONCURRENCY clients in a loop until `seconds` are over or `stop` says so. */
async function load(url: string, seconds: number, stop: (sample: Sample) => boolean = () => false) {
  const samples: Sample[] = [];
  const deadline = performance.now() + seconds * 1000;
  let stopped = false;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (!stopped && performance.now() < deadline) {
        const sample = await once(url);
        samples.push(sample);
        if (stop(sample)) stopped = true;
      }
    }),
  );
  return samples;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

function report(phase: string, samples: Sample[]) {
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  const count = (kind: Sample["kind"]) => samples.filter((s) => s.kind === kind).length;
  console.log(
    `${phase.padEnd(20)} | ${String(samples.length).padStart(8)} | ${percentile(ms, 50).toFixed(1).padStart(8)} | ${percentile(
      ms,
      99,
    )
      .toFixed(1)
      .padStart(
        8,
      )} | ${(ms.at(-1) ?? Number.NaN).toFixed(1).padStart(8)} | ${String(count("full")).padStart(6)} | ${String(
      count("degraded"),
    ).padStart(8)} | ${String(count("failed fast")).padStart(11)} | ${String(count("error")).padStart(6)}`,
  );
}

/** Load until the first full answer; ms from `since` to the moment that answer arrived. */
async function timeToFull(url: string, since: number) {
  let firstFull: number | undefined;
  const samples = await load(url, 60, (sample) => {
    if (sample.kind !== "full") return false;
    firstFull ??= sample.at + sample.ms;
    return true;
  });
  return { ms: firstFull === undefined ? Number.NaN : firstFull - since, samples };
}

async function freePort() {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const inventoryPort = await freePort();
const stack = await spawnProcessStack({
  seed: "bench",
  createDatabase: createBenchDatabase,
  serviceEnv: { inventory: { INVENTORY_PORT: String(inventoryPort) } },
});
const restarted: ServiceProcess[] = [];
try {
  const env = (name: string, fallback: string) => process.env[name] ?? `${fallback} (default)`;
  console.log(
    `degraded catalog: ${CONCURRENCY} clients, ${SECONDS} s per phase; SUBGRAPH_QUERY_TIMEOUT_MS=${env("SUBGRAPH_QUERY_TIMEOUT_MS", "2000")}, ` +
      `CIRCUIT_FAILURE_THRESHOLD=${env("CIRCUIT_FAILURE_THRESHOLD", "5")}, CIRCUIT_COOLDOWN_MS=${env("CIRCUIT_COOLDOWN_MS", "5000")}`,
  );
  await load(stack.url, 2); // warm-up: query plans, connection pools, JIT
  console.log(
    "phase                |     reqs |  p50 ms |  p99 ms |  max ms |   full | degraded | failed fast |  error",
  );
  report("healthy", await load(stack.url, SECONDS));

  stack.inventory.child.kill("SIGKILL");
  await stack.inventory.exited;
  report("inventory killed", await load(stack.url, SECONDS));

  // The load goes on while inventory starts (its answers are not reported), so the recovery is measured under load.
  let inventory: ServiceProcess | undefined;
  const spawnStarted = performance.now();
  const loadDuringStart = load(stack.url, 120, () => inventory !== undefined);
  inventory = await spawnService("subgraphs/inventory/src/index.ts", {
    INVENTORY_DATABASE_URL: stack.databaseUrls.inventory,
    INVENTORY_PORT: String(inventoryPort),
    DEMO_DATA: "false",
  });
  restarted.push(inventory);
  const serving = performance.now();
  await loadDuringStart;
  const afterRestart = await timeToFull(stack.url, serving);
  await load(stack.url, 2); // settle: circuit closed, full answers

  const frozenPid = pidOf(inventory);
  process.kill(frozenPid, "SIGSTOP");
  let frozen: Sample[];
  try {
    frozen = await load(stack.url, SECONDS);
  } finally {
    process.kill(frozenPid, "SIGCONT");
  }
  const thawed = performance.now();
  const afterThaw = await timeToFull(stack.url, thawed);
  report("inventory frozen", frozen);

  console.log(
    `restart → first full answer: ${afterRestart.ms.toFixed(0)} ms after inventory logged "serving" ` +
      `(${(serving - spawnStarted).toFixed(0)} ms to start it)`,
  );
  console.log(`SIGCONT → first full answer: ${afterThaw.ms.toFixed(0)} ms`);
} finally {
  for (const service of restarted) {
    service.child.kill("SIGCONT");
    service.child.kill("SIGKILL");
  }
  await Promise.all(restarted.map((service) => service.exited));
  await stack.stop(5000);
}
