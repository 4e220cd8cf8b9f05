import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { startGatewayService } from "@emshop/gateway/main";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type SeededGoods, startSeededGoods } from "../support/goods-service";
import { gql } from "../support/graphql-client";
import { quietLogger } from "../support/logs";

// queryMs bounds the goods calls too: large enough for a cold goods subgraph on a busy 2-core machine.
const QUERY_MS = 1000;
const MUTATION_MS = 3000;
/** Longer than queryMs, shorter than mutationMs. */
const MUTATION_DELAY_MS = 2000;
const GOODS_QUERY = "{ goodsList(pageSize: 5) { total items { id name stocks } } }";
const ADJUST = `mutation { adjustStock(goodsId: "1", delta: 1, reason: "r") { goodsId stocks version } }`;

/** What the scripted inventory does with the next requests. */
interface Script {
  status?: number;
  contentType?: string;
  body?: string;
  /** Waits this long before answering. */
  delayMs?: number;
  /** Instead of answering: "close" ends the socket, "reset" sends a TCP RST. */
  drop?: "close" | "reset";
}

interface SeenRequest {
  headers: IncomingHttpHeaders;
  /** The GraphQL operation the gateway sent (the `query` of the JSON body). */
  query: string;
  /** The connection closed before the fake answered. */
  closedEarly: boolean;
  answered: boolean;
}

/** A real HTTP server posing as the inventory subgraph; each test sets its behaviour. */
async function scriptedInventory() {
  const requests: SeenRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let script: Script = {};

  const answer = (seen: SeenRequest, req: IncomingMessage, res: ServerResponse, current: Script) => {
    if (current.drop === "reset") return req.socket.resetAndDestroy();
    if (current.drop === "close") return req.socket.destroy();
    if (res.destroyed) return;
    res.writeHead(current.status ?? 200, { "content-type": current.contentType ?? "application/json" });
    res.end(current.body ?? "");
    seen.answered = true;
  };

  const server: Server = createServer((req, res) => {
    const current = script;
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      let query = "";
      try {
        query = String((JSON.parse(text) as { query?: unknown }).query ?? "");
      } catch {
        query = text;
      }
      const seen: SeenRequest = { headers: req.headers, query, closedEarly: false, answered: false };
      requests.push(seen);
      res.on("close", () => {
        if (!seen.answered) seen.closedEarly = true;
      });
      if (!current.delayMs) return answer(seen, req, res, current);
      const timer = setTimeout(() => {
        timers.delete(timer);
        answer(seen, req, res, current);
      }, current.delayMs);
      timers.add(timer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/graphql`,
    requests,
    set(next: Script) {
      script = next;
    },
    /** Forgets the script and the requests and cuts what is still open (between tests). */
    reset() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      requests.length = 0;
      script = {};
    },
    async close() {
      this.reset();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

type Fake = Awaited<ReturnType<typeof scriptedInventory>>;

/** Polls until `check` holds; fails with `what` after `withinMs`. */
async function eventually(what: string, check: () => boolean, withinMs = 3000) {
  const deadline = performance.now() + withinMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`not within ${withinMs} ms: ${what}`);
    await sleep(10);
  }
}

const graphqlErrors = (message: string, code: string) =>
  JSON.stringify({ errors: [{ message, extensions: { code } }] });

describe("the gateway's answer to what a subgraph answers", () => {
  let goods: SeededGoods;
  let fake: Fake;
  let gateway: Awaited<ReturnType<typeof startGatewayService>>;

  beforeAll(async () => {
    goods = await startSeededGoods("subgraph_answers");
    fake = await scriptedInventory();
    gateway = await startGatewayService({
      logger: quietLogger(),
      port: 0,
      subgraphUrls: { goods: goods.url, inventory: fake.url },
      timeouts: { queryMs: QUERY_MS, mutationMs: MUTATION_MS },
    });
    // Warm up goods (connection pool, Prisma) and the gateway's query plans before anything is timed.
    for (let i = 0; i < 3; i++) await gql(gateway.url, GOODS_QUERY);
    fake.reset();
  });
  afterEach(() => fake?.reset());
  afterAll(async () => {
    await gateway?.stop();
    await fake?.close();
    await goods?.close();
  });

  /** The goods query with inventory scripted: goods data must be complete, stocks null, one error. */
  async function goodsWithInventory(script: Script) {
    fake.set(script);
    const started = performance.now();
    const response = await gql(gateway.url, GOODS_QUERY);
    const elapsed = performance.now() - started;
    expect(response.status).toBe(200);
    expect(response.data?.goodsList.total, JSON.stringify(response.errors)).toBe(30);
    expect(response.data?.goodsList.items).toHaveLength(5);
    for (const item of response.data?.goodsList.items ?? []) {
      expect(item).toMatchObject({ id: expect.any(String), name: expect.any(String), stocks: null });
    }
    // The gateway did ask inventory (for the stocks of the goods it got).
    expect(fake.requests.map((request) => request.query)).toEqual([expect.stringContaining("_entities")]);
    expect(response.errors).toHaveLength(1);
    return { error: response.errors?.[0], elapsed };
  }

  it("a healthy answer: the goods with the fake's stocks, no error", async () => {
    fake.set({
      body: JSON.stringify({ data: { _entities: Array.from({ length: 5 }, (_, i) => ({ stocks: 100 + i })) } }),
    });
    const response = await gql(gateway.url, GOODS_QUERY);
    expect(response.errors).toBeUndefined();
    expect(response.data?.goodsList.items.map((item: { stocks: number }) => item.stocks)).toEqual([
      100, 101, 102, 103, 104,
    ]);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]?.query).toMatch(/^query\b.*_entities/s);
  });

  describe("a subgraph that answers with GraphQL errors keeps them, whatever the HTTP status", () => {
    it.each([
      [401, "no token", "UNAUTHENTICATED"],
      [403, "not allowed", "FORBIDDEN"],
      [400, "bad representations", "BAD_USER_INPUT"],
    ] as const)("HTTP %i with a GraphQL body: the client gets %j with code %s", async (status, message, code) => {
      const { error } = await goodsWithInventory({
        status,
        contentType: "application/json",
        body: graphqlErrors(message, code),
      });
      expect(error?.message).toBe(message);
      expect(error?.extensions?.code).toBe(code);
      expect(error?.extensions?.code).not.toBe("SUBGRAPH_UNAVAILABLE");
    });

    it("also with the application/graphql-response+json media type", async () => {
      const { error } = await goodsWithInventory({
        status: 401,
        contentType: "application/graphql-response+json; charset=utf-8",
        body: graphqlErrors("no token", "UNAUTHENTICATED"),
      });
      expect(error).toMatchObject({ message: "no token", extensions: { code: "UNAUTHENTICATED" } });
    });
  });

  describe("an answer that is not GraphQL", () => {
    it("413 with an HTML page: SUBGRAPH_BAD_RESPONSE with the status", async () => {
      const { error } = await goodsWithInventory({
        status: 413,
        contentType: "text/html",
        body: "<html><body><h1>413 Request Entity Too Large</h1></body></html>",
      });
      expect(error?.extensions).toMatchObject({ code: "SUBGRAPH_BAD_RESPONSE", serviceName: "inventory", status: 413 });
    });

    it("200 with JSON that is not a GraphQL response: SUBGRAPH_BAD_RESPONSE", async () => {
      const { error } = await goodsWithInventory({ status: 200, body: JSON.stringify({ hello: "world" }) });
      expect(error?.extensions).toMatchObject({ code: "SUBGRAPH_BAD_RESPONSE", serviceName: "inventory", status: 200 });
    });

    it.each([
      [402, "application/json", "<html>oops</html>"],
      [401, "application/json", ""],
      [200, "Application/JSON; charset=utf-8", "{not json"],
    ])(
      "%i labelled %s but not parseable: SUBGRAPH_BAD_RESPONSE, the body not echoed",
      async (status, contentType, body) => {
        const { error } = await goodsWithInventory({ status, contentType, body });
        expect(error?.extensions).toMatchObject({ code: "SUBGRAPH_BAD_RESPONSE", serviceName: "inventory", status });
        if (body) expect(error?.message).not.toContain(body);
      },
    );

    it("a GraphQL answer whose media type is written in capitals still counts", async () => {
      const { error } = await goodsWithInventory({
        status: 401,
        contentType: "Application/JSON",
        body: JSON.stringify({ errors: [{ message: "no token", extensions: { code: "UNAUTHENTICATED" } }] }),
      });
      expect(error?.extensions).toMatchObject({ code: "UNAUTHENTICATED" });
    });

    it("503 with a text body (a proxy with no upstream): SUBGRAPH_UNAVAILABLE with the status", async () => {
      const { error } = await goodsWithInventory({
        status: 503,
        contentType: "text/plain",
        body: "no healthy upstream",
      });
      expect(error?.extensions).toMatchObject({
        code: "SUBGRAPH_UNAVAILABLE",
        serviceName: "inventory",
        status: 503,
        timedOut: false,
      });
    });
  });

  describe("transport failures", () => {
    it.each([
      ["closes the socket", "close"],
      ["resets the connection", "reset"],
    ] as const)("inventory %s without answering: SUBGRAPH_UNAVAILABLE, not timed out", async (_what, drop) => {
      const { error, elapsed } = await goodsWithInventory({ drop });
      expect(error?.extensions).toMatchObject({
        code: "SUBGRAPH_UNAVAILABLE",
        serviceName: "inventory",
        timedOut: false,
      });
      expect(error?.extensions?.status).toBeUndefined();
      expect(elapsed).toBeLessThan(QUERY_MS + 1500);
    });

    it("a query answered later than queryMs: SUBGRAPH_UNAVAILABLE, timed out, within about queryMs", async () => {
      const { error, elapsed } = await goodsWithInventory({
        delayMs: QUERY_MS + 3000,
        body: JSON.stringify({ data: { _entities: [] } }),
      });
      expect(error?.extensions).toMatchObject({
        code: "SUBGRAPH_UNAVAILABLE",
        serviceName: "inventory",
        timedOut: true,
      });
      expect(elapsed).toBeGreaterThanOrEqual(QUERY_MS);
      expect(elapsed).toBeLessThan(QUERY_MS + 1500);
      // The gateway gave up on the call: the fake sees its connection closed before it answered.
      await eventually("the timed-out request's connection closed", () => fake.requests[0]?.closedEarly === true);
    });
  });

  describe("mutations get mutationMs", () => {
    const adjusted = { goodsId: "1", stocks: 42, version: 7 };

    it("a mutation answered after queryMs but before mutationMs succeeds with the subgraph's data", async () => {
      fake.set({ delayMs: MUTATION_DELAY_MS, body: JSON.stringify({ data: { adjustStock: adjusted } }) });
      const started = performance.now();
      const response = await gql(gateway.url, ADJUST);
      const elapsed = performance.now() - started;
      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({ adjustStock: adjusted });
      expect(elapsed).toBeGreaterThanOrEqual(MUTATION_DELAY_MS);
      expect(fake.requests).toHaveLength(1);
      expect(fake.requests[0]?.query).toMatch(/^mutation\b/);
      expect(fake.requests[0]?.query).toContain("adjustStock");
      expect(fake.requests[0]?.closedEarly).toBe(false);
    });

    it("a mutation answered later than mutationMs: SUBGRAPH_UNAVAILABLE, timed out", async () => {
      fake.set({ delayMs: MUTATION_MS + 3000, body: JSON.stringify({ data: { adjustStock: adjusted } }) });
      const started = performance.now();
      const response = await gql(gateway.url, ADJUST);
      const elapsed = performance.now() - started;
      expect(response.data?.adjustStock ?? null).toBeNull();
      expect(response.errors).toHaveLength(1);
      expect(response.errors?.[0]?.extensions).toMatchObject({
        code: "SUBGRAPH_UNAVAILABLE",
        serviceName: "inventory",
        timedOut: true,
      });
      expect(elapsed).toBeGreaterThanOrEqual(MUTATION_MS);
      expect(elapsed).toBeLessThan(MUTATION_MS + 1500);
      expect(fake.requests.map((request) => request.query)).toEqual([expect.stringMatching(/^mutation\b/)]);
    });
  });
});

describe("when the client goes away, the gateway stops its subgraph calls", () => {
  let goods: SeededGoods;
  let fake: Fake;
  let gateway: Awaited<ReturnType<typeof startGatewayService>>;
  // Long enough that only the client's abort, not a timeout, can end the call during the test.
  const LONG_MS = 20_000;

  beforeAll(async () => {
    goods = await startSeededGoods("subgraph_abort");
    fake = await scriptedInventory();
    gateway = await startGatewayService({
      logger: quietLogger(),
      port: 0,
      subgraphUrls: { goods: goods.url, inventory: fake.url },
      timeouts: { queryMs: LONG_MS, mutationMs: LONG_MS },
    });
  });
  afterEach(() => fake?.reset());
  afterAll(async () => {
    await gateway?.stop();
    await fake?.close();
    await goods?.close();
  });

  it("a client that aborts while inventory is slow: inventory's request is cut", async () => {
    fake.set({ delayMs: LONG_MS - 5000, body: JSON.stringify({ data: { _entities: [] } }) });
    const client = new AbortController();
    const pending = fetch(gateway.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: GOODS_QUERY }),
      signal: client.signal,
    });
    const outcome = pending.then(
      () => "answered",
      (error: Error) => error.name,
    );
    await eventually("the gateway called inventory", () => fake.requests.length === 1);
    expect(fake.requests[0]?.closedEarly).toBe(false);

    client.abort();
    expect(await outcome).toBe("AbortError");
    await eventually(
      "inventory's connection closed after the client aborted",
      () => fake.requests[0]?.closedEarly === true,
    );
    expect(fake.requests[0]?.answered).toBe(false);
    expect(fake.requests).toHaveLength(1);
  });
});
