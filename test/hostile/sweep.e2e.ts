import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cpuSeconds,
  isAlive,
  type ProcessStack,
  peakRssMiB,
  pidOf,
  processStackAvailable,
  processStackUnavailableReason,
  SERVICE_NAMES,
  type ServiceName,
  spawnProcessStack,
} from "../support/process-stack";
import { asForSpawned, SPAWNED_SERVICE_SECRET, token } from "../support/tokens";
import { type Caller, type HostileCase, hostileCases } from "./cases";

/**
 * Every hostile case against the system as production runs it: the gateway
 * and both subgraphs as their own processes (NODE_ENV=production) on
 * throwaway PostgreSQL databases. Per case: a coded JSON answer within 1 s,
 * every service's /health/live answering while it is in flight and after,
 * at most 0.5 CPU-seconds spent by each process, and no row changed.
 */

/** Answer time a case may take (wall clock, request sent → body read). */
const MAX_ANSWER_MS = 1000;
/** CPU each process may spend on one case, counted until SETTLE_MS after the answer. */
const MAX_CPU_SECONDS = 0.5;
const SETTLE_MS = 250;
/** Each /health/live probe must answer 200 within this. */
const PROBE_TIMEOUT_MS = 1000;
/** Peak resident memory each process may reach over the whole sweep. */
const MAX_PEAK_RSS_MIB = 1024;
/** How long the harness waits for an answer at all (the 1 s budget is checked separately). */
const REQUEST_TIMEOUT_MS = 10_000;

if (!processStackAvailable) console.warn(`hostile-input sweep skipped: ${processStackUnavailableReason}`);

type Snapshot = Awaited<ReturnType<typeof snapshot>>;

/** Everything a hostile request could have changed, in both databases. */
async function snapshot(databases: Record<"goods" | "inventory", pg.Client>) {
  const goods = await databases.goods.query(
    `SELECT (SELECT count(*) FROM goods) goods, (SELECT count(*) FROM category) categories,
            (SELECT count(*) FROM brand) brands, (SELECT count(*) FROM banner) banners,
            (SELECT count(*) FROM category_brand) pairs,
            (SELECT md5(string_agg(concat_ws('|', id, name, shop_price, is_hot, on_sale), ',' ORDER BY id)) FROM goods) digest`,
  );
  const inventory = await databases.inventory.query(
    `SELECT (SELECT sum(stocks) FROM inventory) stocks, (SELECT sum(version) FROM inventory) versions,
            (SELECT count(*) FROM stock_movement) ledger, (SELECT count(*) FROM stock_sell) orders,
            (SELECT count(*) FROM stock_request) requests`,
  );
  return { goods: goods.rows[0] as Record<string, unknown>, inventory: inventory.rows[0] as Record<string, unknown> };
}

/** "inventory.stocks 37324 → 37325" for every figure that differs. */
function changes(before: Snapshot, after: Snapshot): string[] {
  return (["goods", "inventory"] as const).flatMap((db) =>
    Object.keys(before[db])
      .filter((key) => String(before[db][key]) !== String(after[db][key]))
      .map((key) => `${db}.${key} ${before[db][key]} → ${after[db][key]}`),
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Answer {
  ms: number;
  status: number;
  type: string;
  poweredBy: string | null;
  text: string;
  error?: undefined;
}

/** What one case cost, for the summary printed at the end. */
interface Figures {
  name: string;
  ms: number;
  cpu: Record<ServiceName, number>;
}

describe.skipIf(!processStackAvailable)("the hostile-input sweep (three service processes, PostgreSQL)", () => {
  let stack: ProcessStack;
  const databases = {} as Record<"goods" | "inventory", pg.Client>;
  let first: Snapshot;
  const figures: Figures[] = [];
  const headers: Record<Caller, Record<string, string>> = {
    anonymous: {},
    admin: {},
    orders: {},
    expired: {},
    garbage: { authorization: "Bearer eyJhbGciOiJIUzI1NiJ9.garbage.garbage" },
  };
  const urlOf = (service: ServiceName) => stack[service].url;
  const pids = () =>
    Object.fromEntries(SERVICE_NAMES.map((name) => [name, pidOf(stack[name])])) as Record<ServiceName, number>;
  const cpuNow = () =>
    Object.fromEntries(SERVICE_NAMES.map((name) => [name, cpuSeconds(pidOf(stack[name]))])) as Record<
      ServiceName,
      number
    >;

  beforeAll(async () => {
    stack = await spawnProcessStack({ seed: "small" });
    for (const name of ["goods", "inventory"] as const) {
      databases[name] = new pg.Client({ connectionString: stack.databaseUrls[name] });
      await databases[name].connect();
    }
    // Spawned services run with NODE_ENV=production: tokens are signed with their secret, not the development one.
    headers.admin = await asForSpawned("admin", "sweep-admin");
    headers.orders = await asForSpawned("order-service", "sweep-orders");
    headers.expired = { authorization: `Bearer ${await token({ ttlSeconds: -3600 }, SPAWNED_SERVICE_SECRET)}` };
    // A fresh process compiles and connects on its first requests: warm each path once so that the
    // per-case budgets measure the case, not the first use of the query planner or the pools.
    for (const [service, query] of [
      ["gateway", "{ goodsList(pageSize: 2) { total items { id stocks } } categories { id } }"],
      ["goods", '{ goodsList(pageSize: 2) { total items { id } } category(id: "1") { id } }'],
      ["inventory", '{ inventory(goodsId: "1") { stocks } }'],
    ] as const) {
      for (let round = 0; round < 3; round++)
        await fetch(urlOf(service), {
          method: "POST",
          headers: { "content-type": "application/json", ...headers.admin },
          body: JSON.stringify({ query }),
        }).then((response) => response.text());
    }
    first = await snapshot(databases);
  }, 240_000);

  afterAll(async () => {
    await Promise.allSettled(Object.values(databases).map((client) => client.end()));
    await stack?.stop();
  }, 60_000);

  /** Sends the case to its target; resolves with the answer or the transport error, and the wall time. */
  async function send(c: HostileCase): Promise<Answer | { ms: number; error: Error }> {
    const raw = c.raw ?? {};
    const method = raw.method ?? "POST";
    const started = performance.now();
    try {
      const response = await fetch(`${urlOf(c.target ?? "gateway")}${raw.path ?? ""}`, {
        method,
        headers: {
          ...(method === "POST" ? { "content-type": raw.contentType ?? "application/json" } : {}),
          ...headers[c.as ?? "anonymous"],
          ...raw.headers,
        },
        ...(method === "POST" ? { body: raw.body ?? JSON.stringify({ query: c.query, variables: c.variables }) } : {}),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      return {
        ms: performance.now() - started,
        status: response.status,
        type: response.headers.get("content-type") ?? "",
        poweredBy: response.headers.get("x-powered-by"),
        text,
      };
    } catch (error) {
      return { ms: performance.now() - started, error: error as Error };
    }
  }

  /** undefined when the service's /health/live answered 200 within a second, else what went wrong. */
  async function probe(service: ServiceName, when: string): Promise<string | undefined> {
    const started = performance.now();
    try {
      const response = await fetch(urlOf(service).replace("/graphql", "/health/live"), {
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
      });
      await response.arrayBuffer();
      const ms = performance.now() - started;
      if (response.status !== 200) return `${service} /health/live ${when}: HTTP ${response.status}`;
      if (ms > PROBE_TIMEOUT_MS) return `${service} /health/live ${when}: took ${ms.toFixed(0)} ms`;
      return undefined;
    } catch (error) {
      return `${service} /health/live ${when}: no answer within ${PROBE_TIMEOUT_MS} ms (${(error as Error).message})`;
    }
  }

  /** Until no process's CPU time moves for a moment (at most 5 s), so a case is not billed for its predecessor. */
  async function quiesce() {
    const deadline = Date.now() + 5000;
    let last = cpuNow();
    while (Date.now() < deadline) {
      await sleep(50);
      const now = cpuNow();
      if (SERVICE_NAMES.every((name) => now[name] === last[name])) return;
      last = now;
    }
  }

  it(`has at least 120 cases (${hostileCases.length})`, () => {
    expect(hostileCases.length).toBeGreaterThanOrEqual(120);
    expect(new Set(hostileCases.map((c) => c.name)).size).toBe(hostileCases.length);
  });

  it.each(hostileCases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const problems: string[] = [];
    for (const name of SERVICE_NAMES) if (!isAlive(stack[name])) throw new Error(`${name} died before this case`);
    await quiesce();
    const before = await snapshot(databases);
    const cpuBefore = cpuNow();

    // Probe every service while the request is in flight: as it goes, at +50 ms, then every 250 ms.
    const request = send(c);
    let answered = false;
    void request.finally(() => {
      answered = true;
    });
    const probes: Promise<string | undefined>[] = [];
    const sentAt = performance.now();
    const probeAll = () => {
      const when = `${(performance.now() - sentAt).toFixed(0)} ms into the request`;
      for (const name of SERVICE_NAMES) probes.push(probe(name, when));
    };
    probeAll();
    const at50 = setTimeout(() => !answered && probeAll(), 50);
    const every250 = setInterval(() => !answered && probeAll(), 250);
    const answer = await request;
    clearTimeout(at50);
    clearInterval(every250);
    problems.push(...((await Promise.all(probes)).filter(Boolean) as string[]));

    // Work that goes on after the answer counts too.
    await sleep(SETTLE_MS);
    const cpuAfter = cpuNow();
    const cpu = Object.fromEntries(
      SERVICE_NAMES.map((name) => [name, Math.round((cpuAfter[name] - cpuBefore[name]) * 100) / 100]),
    ) as Record<ServiceName, number>;
    figures.push({ name: c.name, ms: answer.ms, cpu });
    const cost = `${answer.ms.toFixed(0)} ms; CPU s gateway ${cpu.gateway}, goods ${cpu.goods}, inventory ${cpu.inventory}`;
    for (const name of SERVICE_NAMES)
      if (cpu[name] > MAX_CPU_SECONDS) problems.push(`${name} spent ${cpu[name]} CPU s (max ${MAX_CPU_SECONDS})`);
    problems.push(
      ...((await Promise.all(SERVICE_NAMES.map((name) => probe(name, "after the answer")))).filter(
        Boolean,
      ) as string[]),
    );

    const changed = changes(before, await snapshot(databases));
    if (changed.length > 0) problems.push(`rows changed: ${changed.join(", ")}`);

    if (answer.ms > MAX_ANSWER_MS) problems.push(`answered after ${answer.ms.toFixed(0)} ms (max ${MAX_ANSWER_MS})`);
    if (answer.error) {
      problems.push(`no answer: ${answer.error.message}`);
    } else {
      problems.push(...judgeAnswer(c, answer));
    }
    expect(problems, `${c.target ?? "gateway"} ← ${c.name} (${cost})`).toEqual([]);
  });

  it("left all three processes alive, within memory, and changed no row overall", async () => {
    for (const name of SERVICE_NAMES) expect(isAlive(stack[name]), `${name} is not running`).toBe(true);
    const peaks = Object.entries(pids()).map(([name, pid]) => [name, peakRssMiB(pid)] as const);
    console.log(`hostile sweep, peak RSS: ${peaks.map(([name, mib]) => `${name} ${mib.toFixed(0)} MiB`).join(", ")}`);
    const costly = [...figures]
      .sort((a, b) => Math.max(...Object.values(b.cpu)) - Math.max(...Object.values(a.cpu)) || b.ms - a.ms)
      .slice(0, 8)
      .map(
        (f) => `  ${f.name}: ${f.ms.toFixed(0)} ms, CPU s ${SERVICE_NAMES.map((n) => `${n} ${f.cpu[n]}`).join(" ")}`,
      );
    const times = figures.map((f) => f.ms).sort((a, b) => a - b);
    const at = (share: number) => (times[Math.min(times.length - 1, Math.floor(times.length * share))] ?? 0).toFixed(0);
    console.log(
      `hostile sweep, ${times.length} cases answered in median ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${at(1)} ms; costliest:\n${costly.join("\n")}`,
    );
    for (const [name, mib] of peaks) expect(mib, `${name} peak RSS`).toBeLessThan(MAX_PEAK_RSS_MIB);
    expect(await snapshot(databases)).toEqual(first);
  });
});

/** What is wrong with the answer to a case (empty when it is right). */
function judgeAnswer(c: HostileCase, answer: Answer): string[] {
  const problems: string[] = [];
  const excerpt = `${answer.status} ${answer.text.slice(0, 300)}`;
  if (!/^application\/(graphql-response\+)?json/.test(answer.type))
    problems.push(`content type ${JSON.stringify(answer.type)}: ${excerpt}`);
  if (answer.poweredBy !== null) problems.push(`x-powered-by: ${answer.poweredBy}`);
  // Nothing leaks: no stack traces, SQL or file paths in what an anonymous caller is told.
  if (/node_modules|\/work\/|at Object\.|SELECT |INSERT |syntax error at or near/.test(answer.text))
    problems.push(`leaks internals: ${answer.text.slice(0, 300)}`);
  // Production hides the schema: no field suggestions.
  if (answer.text.includes("Did you mean"))
    problems.push(`suggests fields in production: ${answer.text.slice(0, 300)}`);
  let body: { data?: unknown; errors?: { message: string; extensions?: { code?: unknown } }[] };
  try {
    body = JSON.parse(answer.text);
  } catch {
    problems.push(`not JSON: ${excerpt}`);
    return problems;
  }
  if (c.check) {
    try {
      c.check(body);
    } catch (error) {
      problems.push(`check: ${(error as Error).message}`);
    }
    if (!c.codes && !c.statuses) return problems;
  }
  const codes = (body.errors ?? []).map((error) => error.extensions?.code);
  if (codes.length === 0) {
    if (!c.codes?.includes("NONE")) problems.push(`answered without an error: ${excerpt}`);
    return problems;
  }
  for (const code of codes)
    if (typeof code !== "string") problems.push(`an error without a code: ${JSON.stringify(body.errors)}`);
  const acceptable =
    (c.codes ?? []).some((code) => codes.includes(code as string)) || (c.statuses ?? []).includes(answer.status);
  if (!acceptable)
    problems.push(
      `${answer.status} ${JSON.stringify(codes)}, expected ${JSON.stringify(c.codes ?? [])} or HTTP ${JSON.stringify(c.statuses ?? [])}: ${answer.text.slice(0, 300)}`,
    );
  return problems;
}
