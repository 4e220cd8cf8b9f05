/**
 * The most expensive hostile requests, with and without the limits (not a
 * test): `npm run bench:hostile`.
 *
 * Runs goods, inventory and the gateway as their own processes
 * (`spawnProcessStack`'s pieces: NODE_ENV=production, tsx) on two throwaway
 * PostgreSQL databases seeded once with the 1,200-goods demo catalog, and
 * sends each attack in two rounds: "limits lifted" (every limit at its
 * maximum, as the services were before they had any) and "default limits".
 *
 * Per attack and round it prints the client's time, HTTP status and first
 * error code, and for each service process:
 * - CPU seconds (utime + stime from /proc) spent from just before the request
 *   until the answer ("at answer"), and until the process's CPU stopped
 *   increasing ("settled": < 0.02 s per second for all three, at most 60 s
 *   after the answer), so work that goes on after the client got its answer
 *   (or gave up, after 60 s) is counted;
 * - peak RSS (VmHWM). VmHWM is a lifetime high-water mark, so every attack
 *   gets freshly started processes (in both rounds, so the rounds compare):
 *   the peak is that attack's, and the figure in parentheses is its growth
 *   over the process's peak after start-up and a warm-up request. A process
 *   that died is reported as such, with the last peak seen (sampled every
 *   200 ms), and the next attack gets a new stack anyway.
 * PostgreSQL CPU is the sum over every process named `postgres` on this
 * machine (plus the postmaster's reaped children, i.e. backends that exited):
 * machine-wide, so other work on the same server is included. "ledger" is the
 * number of stock_movement rows the attack wrote; "health" says whether all
 * three services answered /health/live within 1 s afterwards.
 */
import pg from "pg";
import {
  cpuSeconds,
  createStackDatabases,
  isAlive,
  peakRssMiB,
  pidOf,
  postgresCpuSeconds,
  SERVICE_NAMES,
  type ServiceName,
  type ServiceStack,
  spawnStackServices,
} from "../support/process-stack";
import { asForSpawned } from "../support/tokens";
import { createBenchDatabase } from "./bench-database";

const CLIENT_TIMEOUT_MS = 60_000;
const SETTLE_LIMIT_MS = 60_000;
/** A process counts as idle when it spends less than this many CPU seconds per second. */
const IDLE_CPU_PER_SECOND = 0.02;
const HEALTH_TIMEOUT_MS = 1000;
/** First bytes of an answer kept to find its error code (a lifted bomb may answer with gigabytes). */
const KEEP_BYTES = 64 * 1024;

const aliases = (n: number, field: string) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(" ")} }`;
/** Ten children/parent round trips: each level multiplies the answer by the number of children. */
const BOMB = `{category(id:"1"){${"children{parent{".repeat(10)}id name${"}}".repeat(10)}}}`;
const ADJUST_1000 = `mutation { ${Array.from(
  { length: 1000 },
  (_, i) => `a${i}: adjustStock(goodsId: "1", delta: 1, reason: "bench") { stocks }`,
).join(" ")} }`;

interface Attack {
  name: string;
  target: ServiceName;
  body: string;
  admin?: boolean;
}

const ATTACKS: Attack[] = [
  { name: `${Buffer.byteLength(BOMB)}-byte fan-out bomb`, target: "gateway", body: JSON.stringify({ query: BOMB }) },
  { name: `${Buffer.byteLength(BOMB)}-byte fan-out bomb`, target: "goods", body: JSON.stringify({ query: BOMB }) },
  { name: "1,000 aliased adjustStock", target: "gateway", admin: true, body: JSON.stringify({ query: ADJUST_1000 }) },
  {
    name: "500,000-character keywords",
    target: "gateway",
    body: JSON.stringify({
      query: "query ($k: String) { goodsList(filter: { keywords: $k }) { total items { id } } }",
      variables: { k: "k".repeat(500_000) },
    }),
  },
  {
    name: "300 × goodsList(pageSize: 100) { items { stocks } }",
    target: "gateway",
    body: JSON.stringify({ query: aliases(300, "goodsList(pageSize: 100) { items { stocks } }") }),
  },
  {
    name: "1000 × categories { children { children { brands } } }",
    target: "gateway",
    body: JSON.stringify({ query: aliases(1000, "categories { children { children { brands { id } } } }") }),
  },
];

const LIFTED = {
  MAX_ALIASES: "10000",
  MAX_DEPTH: "100",
  MAX_TOKENS: "1000000",
  MAX_COST: "1000000000000",
  MAX_DIRECTIVES: "10000",
  MAX_BODY_BYTES: "10000000",
  MAX_MUTATION_FIELDS: "10000",
  MAX_KEYWORDS_LENGTH: "1000000",
  SUBGRAPH_QUERY_TIMEOUT_MS: "2000",
};
const ROUNDS: [string, Record<string, string>][] = [
  ["limits lifted", LIFTED],
  ["default limits", {}],
];

type PerService = Record<ServiceName, number>;
const perService = (read: (name: ServiceName) => number) =>
  Object.fromEntries(SERVICE_NAMES.map((name) => [name, read(name)])) as PerService;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Last figures read from /proc for each process: they survive the process's death. */
class Sampler {
  cpu: PerService;
  peak: PerService;
  private timer: NodeJS.Timeout;
  constructor(private stack: ServiceStack) {
    this.cpu = perService(() => 0);
    this.peak = perService(() => 0);
    this.sample();
    this.timer = setInterval(() => this.sample(), 200);
  }
  sample() {
    for (const name of SERVICE_NAMES) {
      if (!isAlive(this.stack[name])) continue;
      try {
        const pid = pidOf(this.stack[name]);
        this.cpu[name] = cpuSeconds(pid);
        this.peak[name] = peakRssMiB(pid);
      } catch {
        // exited between the check and the read: keep the last figures
      }
    }
    return { cpu: { ...this.cpu }, peak: { ...this.peak } };
  }
  stop() {
    clearInterval(this.timer);
  }
}

/** Waits until no process spends more than IDLE_CPU_PER_SECOND (checked each second, at most `limitMs`). */
async function settle(sampler: Sampler, limitMs: number) {
  const started = Date.now();
  let last = sampler.sample().cpu;
  while (Date.now() - started < limitMs) {
    await sleep(1000);
    const now = sampler.sample().cpu;
    const busy = SERVICE_NAMES.some((name) => now[name] - last[name] >= IDLE_CPU_PER_SECOND);
    last = now;
    if (!busy) break;
  }
  return (Date.now() - started) / 1000;
}

async function post(url: string, body: string, headers: Record<string, string>) {
  const started = performance.now();
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
      signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
    });
    let bytes = 0;
    let kept = "";
    const decoder = new TextDecoder();
    for await (const chunk of response.body ?? []) {
      bytes += chunk.byteLength;
      if (kept.length < KEEP_BYTES) kept += decoder.decode(chunk, { stream: true });
    }
    const code = /"code"\s*:\s*"([A-Z_]+)"/.exec(kept)?.[1] ?? (kept.startsWith('{"data"') ? "data" : "?");
    return { ms: performance.now() - started, status: String(response.status), code, bytes };
  } catch (error) {
    const timedOut = (error as Error).name === "TimeoutError";
    return {
      ms: performance.now() - started,
      status: timedOut ? "timeout" : "error",
      code: timedOut ? `no answer in ${CLIENT_TIMEOUT_MS / 1000} s` : (error as Error).message,
      bytes: 0,
    };
  }
}

async function health(stack: ServiceStack): Promise<string> {
  const problems = await Promise.all(
    SERVICE_NAMES.map(async (name) => {
      if (!isAlive(stack[name])) return `${name} died`;
      try {
        const response = await fetch(stack[name].url.replace("/graphql", "/health/live"), {
          signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS),
        });
        await response.arrayBuffer();
        return response.status === 200 ? undefined : `${name} ${response.status}`;
      } catch {
        return `${name} no answer in 1 s`;
      }
    }),
  );
  const failed = problems.filter(Boolean);
  return failed.length === 0 ? "all live" : failed.join(", ");
}

interface Row {
  round: string;
  attack: string;
  target: ServiceName;
  ms: number;
  status: string;
  code: string;
  bytes: number;
  cpuAtAnswer: PerService;
  cpuSettled: PerService;
  settledAfter: number;
  peak: PerService;
  growth: PerService;
  died: ServiceName[];
  postgres: number;
  ledger: number;
  health: string;
}

const ledgerCount = async (client: pg.Client) =>
  Number((await client.query<{ n: string }>("SELECT count(*) n FROM stock_movement")).rows[0]?.n);

async function runAttack(
  round: string,
  env: Record<string, string>,
  attack: Attack,
  urls: { goods: string; inventory: string },
  inventory: pg.Client,
): Promise<Row> {
  const stack = await spawnStackServices(urls, { env });
  const sampler = new Sampler(stack);
  try {
    // Warm up (first-request compilation, pool connections), then wait for the processes to go idle.
    await post(stack.url, JSON.stringify({ query: "{ goodsList(pageSize: 1) { items { id stocks } } }" }), {});
    await settle(sampler, 10_000);
    const headers = attack.admin ? await asForSpawned("admin", "bench") : {};
    const ledgerBefore = await ledgerCount(inventory);
    const start = sampler.sample();
    const postgresBefore = postgresCpuSeconds();

    const answer = await post(stack[attack.target].url, attack.body, headers);
    const atAnswer = sampler.sample().cpu;
    const settledAfter = await settle(sampler, SETTLE_LIMIT_MS);
    const end = sampler.sample();
    const postgres = postgresCpuSeconds() - postgresBefore;
    const died = SERVICE_NAMES.filter((name) => !isAlive(stack[name]));
    const live = await health(stack);
    const ledger = (await ledgerCount(inventory)) - ledgerBefore;
    const round2 = (n: number) => Math.round(n * 100) / 100;
    return {
      round,
      attack: attack.name,
      target: attack.target,
      ...answer,
      cpuAtAnswer: perService((name) => round2(atAnswer[name] - start.cpu[name])),
      cpuSettled: perService((name) => round2(end.cpu[name] - start.cpu[name])),
      settledAfter,
      peak: end.peak,
      growth: perService((name) => Math.max(0, end.peak[name] - start.peak[name])),
      died,
      postgres: round2(postgres),
      ledger,
      health: live,
    };
  } finally {
    sampler.stop();
    // A process still busy with the attack ignores SIGTERM until its event loop is free: SIGKILL after 5 s.
    await stack.stop(5000);
  }
}

const triple = (figures: PerService) => SERVICE_NAMES.map((name) => figures[name].toFixed(2)).join(" / ");
const memory = (row: Row) =>
  SERVICE_NAMES.map(
    (name) =>
      `${row.died.includes(name) ? "died ≥" : ""}${row.peak[name].toFixed(0)} (+${row.growth[name].toFixed(0)})`,
  ).join(" / ");
const size = (bytes: number) =>
  bytes >= 1024 * 1024
    ? `${(bytes / 1024 / 1024).toFixed(1)} MiB`
    : bytes >= 1024
      ? `${(bytes / 1024).toFixed(0)} KiB`
      : `${bytes} B`;

const databases = await createStackDatabases({ seed: "bench", createDatabase: createBenchDatabase });
const inventory = new pg.Client({ connectionString: databases.urls.inventory });
await inventory.connect();
const rows: Row[] = [];
try {
  console.log(`fan-out bomb: ${Buffer.byteLength(BOMB)} bytes: ${BOMB}`);
  for (const [round, env] of ROUNDS) {
    console.log(`\n## ${round}`);
    const ledgerAtStart = await ledgerCount(inventory);
    for (const attack of ATTACKS) {
      const row = await runAttack(round, env, attack, databases.urls, inventory);
      rows.push(row);
      console.log(
        `  ${attack.name} → ${attack.target}: ${row.ms.toFixed(0)} ms, ${row.status} ${row.code} (${size(row.bytes)}); ` +
          `CPU s gateway/goods/inventory at answer ${triple(row.cpuAtAnswer)}, settled ${triple(row.cpuSettled)} ` +
          `(after ${row.settledAfter.toFixed(0)} s); peak RSS MiB ${memory(row)}; PostgreSQL ${row.postgres} CPU s; ` +
          `ledger +${row.ledger}; ${row.health}`,
      );
    }
    console.log(`  ${round}: stock_movement rows written ${(await ledgerCount(inventory)) - ledgerAtStart}`);
  }
} finally {
  await inventory.end();
  await databases.drop();
}

console.log(
  "\nCPU in seconds (gateway / goods / inventory), RSS in MiB: peak (growth over the warmed-up process); PostgreSQL CPU is machine-wide.\n",
);
console.log(
  "| round | attack | to | client ms | HTTP | code | answer | CPU s at answer | CPU s settled | settled after | peak RSS MiB | PostgreSQL CPU s | ledger rows | health after |",
);
console.log("|---|---|---|--:|---|---|--:|---|---|--:|---|--:|--:|---|");
for (const row of rows)
  console.log(
    `| ${row.round} | ${row.attack} | ${row.target} | ${row.ms.toFixed(0)} | ${row.status} | ${row.code} | ${size(row.bytes)} | ${triple(row.cpuAtAnswer)} | ${triple(row.cpuSettled)} | ${row.settledAfter.toFixed(0)} s | ${memory(row)} | ${row.postgres.toFixed(2)} | ${row.ledger} | ${row.health} |`,
  );
