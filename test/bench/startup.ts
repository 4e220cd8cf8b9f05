/**
 * Start-up benchmark (not a test): `npm run bench:startup` (after `npm run build`).
 *
 * For each service, alternately under tsx (`node --import tsx src/index.ts`,
 * what `npm start` runs) and compiled (`node dist/index.js`, what production
 * runs): the time from spawn to "serving" (databases already migrated, so it
 * measures the code, not the migrations), the RSS at that moment, and the RSS
 * after 200 requests. Median of BENCH_ROUNDS (default 5) interleaved rounds, so
 * both variants see the same machine noise.
 *
 * Env: BENCH_DATABASE_URL or TEST_DATABASE_URL (PostgreSQL, default postgresql://postgres@127.0.0.1:5432/postgres).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "@emshop/db/paths";
import { spawnService } from "../support/service-process";
import { createBenchDatabase } from "./bench-database";

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const QUERY = JSON.stringify({ query: "{ __typename }" });

const rssMiB = (pid: number) => {
  const kib = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return Number(kib) / 1024;
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

async function measure(entry: string, env: Record<string, string>) {
  const started = performance.now();
  const service = await spawnService(entry, env);
  const startMs = performance.now() - started;
  const pid = service.child.pid ?? 0;
  const startRss = rssMiB(pid);
  for (let i = 0; i < 200; i++)
    await fetch(service.url, { method: "POST", headers: { "content-type": "application/json" }, body: QUERY });
  const loadedRss = rssMiB(pid);
  service.child.kill("SIGTERM");
  const code = await service.exited;
  if (code !== 0) throw new Error(`${entry} exited with ${code} on SIGTERM`);
  return { startMs, startRss, loadedRss };
}

const missing = ["gateway", "subgraphs/goods", "subgraphs/inventory"].filter(
  (dir) => !existsSync(join(repoRoot, dir, "dist/index.js")),
);
if (missing.length > 0) throw new Error(`not built: ${missing.join(", ")}; run \`npm run build\` first`);

const goodsDb = await createBenchDatabase("startup_goods");
const inventoryDb = await createBenchDatabase("startup_inventory");
try {
  const services: { name: string; dir: string; env: Record<string, string> }[] = [
    { name: "goods", dir: "subgraphs/goods", env: { GOODS_DATABASE_URL: goodsDb.url, GOODS_PORT: "0" } },
    {
      name: "inventory",
      dir: "subgraphs/inventory",
      env: { INVENTORY_DATABASE_URL: inventoryDb.url, INVENTORY_PORT: "0" },
    },
    // The gateway needs no subgraph to start (static supergraph); `{ __typename }` is answered by the gateway itself.
    { name: "gateway", dir: "gateway", env: { GATEWAY_PORT: "0" } },
  ];
  // One unmeasured start each: applies the migrations, warms the OS file cache.
  for (const service of services) await measure(`${service.dir}/src/index.ts`, service.env);
  console.log(`start-up: ${rounds} interleaved rounds, median; RSS in MiB`);
  console.log("service    | variant  | start ms | RSS at start | RSS after 200 requests");
  for (const service of services) {
    const samples = {
      tsx: [] as Awaited<ReturnType<typeof measure>>[],
      compiled: [] as Awaited<ReturnType<typeof measure>>[],
    };
    for (let round = 0; round < rounds; round++) {
      samples.tsx.push(await measure(`${service.dir}/src/index.ts`, service.env));
      samples.compiled.push(await measure(`${service.dir}/dist/index.js`, service.env));
    }
    const row = (variant: "tsx" | "compiled") => {
      const runs = samples[variant];
      return `${service.name.padEnd(10)} | ${variant.padEnd(8)} | ${median(runs.map((r) => r.startMs))
        .toFixed(0)
        .padStart(8)} | ${median(runs.map((r) => r.startRss))
        .toFixed(1)
        .padStart(12)} | ${median(runs.map((r) => r.loadedRss))
        .toFixed(1)
        .padStart(10)}`;
    };
    console.log(row("tsx"));
    console.log(row("compiled"));
    const ratio = median(samples.compiled.map((r) => r.startMs)) / median(samples.tsx.map((r) => r.startMs));
    console.log(`${service.name.padEnd(10)} | compiled/tsx start-up time: ${ratio.toFixed(2)}×`);
  }
} finally {
  await goodsDb.drop();
  await inventoryDb.drop();
}
