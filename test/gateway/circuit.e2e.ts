import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { GraphQLFormattedError } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ProcessStack,
  pidOf,
  processStackAvailable,
  processStackUnavailableReason,
  spawnProcessStack,
} from "../support/process-stack";
import { type ServiceProcess, spawnService } from "../support/service-process";

/**
 * The gateway's circuit breaker against real processes: inventory killed
 * (SIGKILL), restarted on the same port, frozen (SIGSTOP) and thawed
 * (SIGCONT), all without restarting the gateway; goods killed last.
 */

const QUERY_TIMEOUT_MS = 1500;
const THRESHOLD = 3;
const COOLDOWN_MS = 2000;
/** "At once": far below the query timeout. */
const FAST_MS = 300;
const QUERY = "{ goodsList(pageSize: 5) { total items { id name stocks } } }";

if (!processStackAvailable) console.warn(`circuit breaker e2e skipped: ${processStackUnavailableReason}`);

interface CatalogItem {
  id: string;
  name: string;
  stocks: number | null;
}
interface Answer {
  ms: number;
  status: number;
  items: CatalogItem[];
  errors: GraphQLFormattedError[];
}

/** One anonymous catalog query through the gateway, timed from send to body read. */
async function catalog(url: string): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: QUERY }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json()) as {
    data?: { goodsList: { items: CatalogItem[] } };
    errors?: GraphQLFormattedError[];
  };
  return {
    ms: performance.now() - started,
    status: response.status,
    items: body.data?.goodsList.items ?? [],
    errors: body.errors ?? [],
  };
}

const full = (answer: Answer) =>
  answer.errors.length === 0 && answer.items.length > 0 && answer.items.every((item) => item.stocks !== null);

function expectDegraded(answer: Answer, circuitOpen: boolean) {
  expect(answer.status).toBe(200);
  expect(answer.items).toHaveLength(5);
  for (const item of answer.items)
    expect(item).toMatchObject({ id: expect.any(String), name: expect.any(String), stocks: null });
  expect(answer.errors).toHaveLength(1);
  expect(answer.errors[0]).toMatchObject({
    path: ["goodsList", "items", 0, "stocks"],
    extensions: { code: "SUBGRAPH_UNAVAILABLE", serviceName: "inventory", circuitOpen },
  });
}

interface Readiness {
  status: number;
  body: { status: string; service: string; subgraphs: Record<string, { state: string; since?: string }> };
}

async function readiness(graphqlUrl: string): Promise<Readiness> {
  const response = await fetch(new URL("/health/ready", graphqlUrl), { signal: AbortSignal.timeout(5000) });
  return { status: response.status, body: (await response.json()) as Readiness["body"] };
}

/** Polls until `check` holds (or fails with the last value after `timeoutMs`). */
async function eventually<T>(get: () => Promise<T>, check: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await get();
    if (check(value) || Date.now() > deadline) return value;
    await sleep(100);
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe.skipIf(!processStackAvailable)("circuit breaker per subgraph (real processes)", () => {
  let stack: ProcessStack;
  let inventoryPort: number;
  /** Inventory processes this test started after killing the original. */
  const restarted: ServiceProcess[] = [];
  let inventory: ServiceProcess;

  const startInventory = async () => {
    const service = await spawnService(
      "subgraphs/inventory/src/index.ts",
      {
        INVENTORY_DATABASE_URL: stack.databaseUrls.inventory,
        INVENTORY_PORT: String(inventoryPort),
        DEMO_DATA: "false",
      },
      { timeoutMs: 120_000 },
    );
    restarted.push(service);
    return service;
  };

  beforeAll(async () => {
    inventoryPort = await freePort();
    stack = await spawnProcessStack({
      env: {
        SUBGRAPH_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
        CIRCUIT_FAILURE_THRESHOLD: String(THRESHOLD),
        CIRCUIT_COOLDOWN_MS: String(COOLDOWN_MS),
      },
      serviceEnv: { inventory: { INVENTORY_PORT: String(inventoryPort) } },
    });
    inventory = stack.inventory;
  });
  afterAll(async () => {
    for (const service of restarted) {
      service.child.kill("SIGCONT");
      service.child.kill("SIGKILL");
    }
    await Promise.all(restarted.map((service) => service.exited));
    await stack?.stop(5000);
  });

  it("serves full answers and is ready with both subgraphs up", async () => {
    expect(full(await catalog(stack.url))).toBe(true);
    const ready = await readiness(stack.url);
    expect(ready).toMatchObject({
      status: 200,
      body: { status: "ready", service: "gateway", subgraphs: { goods: { state: "up" }, inventory: { state: "up" } } },
    });
  });

  it("inventory killed: goods with stocks null, then the circuit opens and answers fail fast; still ready", async () => {
    inventory.child.kill("SIGKILL");
    await inventory.exited;

    for (let i = 0; i < THRESHOLD; i++) expectDegraded(await catalog(stack.url), false);
    // The circuit is open now: nothing is sent to inventory.
    for (let i = 0; i < 5; i++) {
      const answer = await catalog(stack.url);
      expectDegraded(answer, true);
      expect(answer.ms).toBeLessThan(FAST_MS);
    }
    const ready = await readiness(stack.url);
    expect(ready.status).toBe(200);
    expect(ready.body.subgraphs.goods).toEqual({ state: "up" });
    expect(ready.body.subgraphs.inventory).toMatchObject({ state: "circuit open", since: expect.any(String) });
  });

  it("inventory restarted on the same port: full answers after the cool-down, no gateway restart", async () => {
    inventory = await startInventory();
    const started = performance.now();
    const answer = await eventually(() => catalog(stack.url), full, COOLDOWN_MS * 3);
    expect(full(answer)).toBe(true);
    expect(performance.now() - started).toBeLessThan(COOLDOWN_MS + 1500);
    const ready = await eventually(
      () => readiness(stack.url),
      (r) => r.body.subgraphs.inventory?.state === "up",
      3000,
    );
    expect(ready.body.subgraphs.inventory).toEqual({ state: "up" });
  });

  it("inventory frozen (SIGSTOP): timeouts open the circuit, then fast answers; SIGCONT: it closes again", async () => {
    process.kill(pidOf(inventory), "SIGSTOP");
    try {
      // Timeouts open the circuit, one per call. The requests go one after another: concurrent ones
      // would share one inventory call (entity fetches of one turn are combined), which fails once.
      const slow: Answer[] = [];
      for (let i = 0; i < THRESHOLD; i++) slow.push(await catalog(stack.url));
      for (const answer of slow) {
        expectDegraded(answer, false);
        expect(answer.errors[0]?.extensions).toMatchObject({ timedOut: true });
        expect(answer.ms).toBeGreaterThanOrEqual(QUERY_TIMEOUT_MS - 50);
      }
      const fast: number[] = [];
      for (let i = 0; i < 5; i++) {
        const answer = await catalog(stack.url);
        fast.push(answer.ms);
        expectDegraded(answer, true);
        expect(answer.ms).toBeLessThan(FAST_MS);
      }
      console.log(`circuit e2e: frozen inventory, circuit open: ${fast.map((ms) => ms.toFixed(0)).join(", ")} ms`);
      const ready = await readiness(stack.url);
      expect(ready.status).toBe(200);
      expect(ready.body.subgraphs.inventory?.state).toBe("circuit open");

      // After the cool-down one request probes (and waits for the timeout: still frozen); the others do not wait.
      await sleep(COOLDOWN_MS + 100);
      const probe = catalog(stack.url);
      await sleep(200);
      const during = await Promise.all(Array.from({ length: 3 }, () => catalog(stack.url)));
      console.log(
        `circuit e2e: answers while the probe was in flight: ${during.map((a) => a.ms.toFixed(0)).join(", ")} ms`,
      );
      for (const answer of during) {
        expectDegraded(answer, true);
        // Not queued behind the probe (which waits the whole timeout); a looser bound than FAST_MS,
        // since these run concurrently with each other and the probe.
        expect(answer.ms).toBeLessThan(QUERY_TIMEOUT_MS / 2);
      }
      const probed = await probe;
      expectDegraded(probed, false);
      expect(probed.errors[0]?.extensions).toMatchObject({ timedOut: true });
      // The failed probe re-opened the circuit.
      expectDegraded(await catalog(stack.url), true);
    } finally {
      process.kill(pidOf(inventory), "SIGCONT");
    }

    const thawed = performance.now();
    const answer = await eventually(() => catalog(stack.url), full, COOLDOWN_MS * 3);
    expect(full(answer)).toBe(true);
    expect(performance.now() - thawed).toBeLessThan(COOLDOWN_MS + 1500);
    const ready = await eventually(
      () => readiness(stack.url),
      (r) => r.body.subgraphs.inventory?.state === "up",
      3000,
    );
    expect(ready).toMatchObject({
      status: 200,
      body: { subgraphs: { goods: { state: "up" }, inventory: { state: "up" } } },
    });
  });

  it("goods killed: the gateway is not ready (503), with the subgraph states in the body", async () => {
    stack.goods.child.kill("SIGKILL");
    await stack.goods.exited;
    const ready = await eventually(
      () => readiness(stack.url),
      (r) => r.status === 503,
      3000,
    );
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: "unavailable", service: "gateway" });
    expect(ready.body.subgraphs.goods?.state).not.toBe("up");
    expect(ready.body.subgraphs.inventory).toEqual({ state: "up" });
    expect(JSON.stringify(ready.body)).not.toMatch(/ECONNREFUSED|fetch failed/);
  });
});
