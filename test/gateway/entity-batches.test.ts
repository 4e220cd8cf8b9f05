import { createServer, type IncomingMessage, type Server } from "node:http";
import type { GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { SubgraphCircuit } from "@emshop/gateway/circuit-breaker";
import type { GatewayContext } from "@emshop/gateway/context";
import { EntityBatches } from "@emshop/gateway/entity-batches";
import { ResilientDataSource } from "@emshop/gateway/subgraph-data-source";
import { SubgraphHttpClient } from "@emshop/gateway/subgraph-http-client";
import { afterEach, describe, expect, it } from "vitest";
import { listenStandIn } from "../support/http-stand-in";

interface Representation {
  __typename: string;
  id: string;
}

interface Received {
  query: string;
  representations: Representation[];
  authorization?: string;
  closedEarly: boolean;
}

/**
 * A real inventory stand-in: answers `_entities` after `delayMs` with
 * `stocks = id × 10` for each representation, in order. Goods id "13" fails
 * (null entity and an error at its index), "99" adds an error without a path;
 * `entitiesShort` drops the last entity (a broken subgraph).
 */
async function entitySubgraph(
  delayMs = 20,
  options: { entitiesShort?: boolean; status?: number; refuseAbove?: number; nullError?: boolean } = {},
) {
  const received: Received[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      const { query, variables } = JSON.parse(body) as {
        query: string;
        variables: { representations?: Representation[] };
      };
      const entry: Received = {
        query,
        representations: variables.representations ?? [],
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        closedEarly: false,
      };
      received.push(entry);
      res.on("close", () => {
        if (!res.writableFinished) entry.closedEarly = true;
      });
      setTimeout(() => {
        if (options.refuseAbove !== undefined && entry.representations.length > options.refuseAbove) {
          // What a subgraph's cost or size limit answers: errors, no data.
          res.writeHead(400, { "content-type": "application/json" });
          res.end(JSON.stringify({ errors: [{ message: "too complex", extensions: { code: "QUERY_TOO_COMPLEX" } }] }));
          return;
        }
        if (options.status) {
          res.writeHead(options.status, { "content-type": "text/html" });
          res.end("<h1>bad gateway</h1>");
          return;
        }
        const errors: unknown[] = [];
        const entities = entry.representations.map((representation, index) => {
          if (representation.id === "13") {
            errors.push({
              message: "no stock for 13",
              path: ["_entities", index, "stocks"],
              extensions: { code: "X" },
            });
            return null;
          }
          if (representation.id === "99") errors.push({ message: "a warning for everyone" });
          return { __typename: "Goods", stocks: Number(representation.id) * 10 };
        });
        if (options.entitiesShort) entities.pop();
        if (options.nullError && entry.representations.length > 1) errors.push(null);
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ data: { _entities: entities }, ...(errors.length ? { errors } : {}) }));
      }, delayMs);
    });
  });
  return { ...(await listenStandIn(server)), received };
}

type Options = GraphQLDataSourceProcessOptions<GatewayContext>;

const ENTITY_QUERY =
  "query CatalogPage__inventory__1($representations: [_Any!]!) { _entities(representations: $representations) { ... on Goods { stocks } } }";

const goods = (...ids: number[]): Representation[] => ids.map((id) => ({ __typename: "Goods", id: String(id) }));

/** What @apollo/gateway hands a data source for one entity fetch of a client's request. */
function entityFetch(
  representations: Representation[],
  context: Partial<GatewayContext> = {},
  query = ENTITY_QUERY,
  variables: Record<string, unknown> = {},
): Options {
  return {
    kind: "incoming operation",
    request: { query, variables: { ...variables, representations }, operationName: "CatalogPage__inventory__1" },
    context: { forwardedHeaders: {}, signal: new AbortController().signal, ...context },
    incomingRequestContext: {},
  } as unknown as Options;
}

const stocksOf = (answer: { data?: Record<string, unknown> | null }) =>
  ((answer.data?._entities ?? []) as ({ stocks: number } | null)[]).map((entity) => entity?.stocks ?? null);

describe("entity fetches of one turn go to the subgraph as one call", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  async function source(
    options: {
      delayMs?: number;
      max?: number;
      entitiesShort?: boolean;
      status?: number;
      refuseAbove?: number;
      nullError?: boolean;
      circuit?: SubgraphCircuit;
      url?: string;
    } = {},
  ) {
    const subgraph = await entitySubgraph(options.delayMs, options);
    const url = options.url ?? subgraph.url;
    const client = new SubgraphHttpClient(url);
    const batches = new EntityBatches(options.max ?? 500);
    cleanups.push(subgraph.close, () => client.close());
    const dataSource = new ResilientDataSource(
      "inventory",
      url,
      { queryMs: 2000, mutationMs: 2000 },
      options.circuit,
      undefined,
      client,
      undefined,
      batches,
    );
    return { subgraph, dataSource, batches };
  }

  it("sends the representations of concurrent fetches in one call and gives each caller its own entities, in order", async () => {
    const { subgraph, dataSource, batches } = await source();
    const pages = [goods(1, 2, 3), goods(4, 5), goods(6, 7, 8, 9)];
    const answers = await Promise.all(pages.map((page) => dataSource.process(entityFetch(page))));
    expect(subgraph.received).toHaveLength(1);
    expect(subgraph.received[0]?.representations).toEqual(pages.flat());
    expect(answers.map(stocksOf)).toEqual([
      [10, 20, 30],
      [40, 50],
      [60, 70, 80, 90],
    ]);
    expect(answers.every((answer) => answer.errors === undefined)).toBe(true);
    expect(batches.counts).toEqual({ fetches: 3, calls: 1 });
    expect(batches.size).toBe(0);
    // The next turn's fetch is a new call.
    expect(stocksOf(await dataSource.process(entityFetch(goods(2))))).toEqual([20]);
    expect(subgraph.received).toHaveLength(2);
  });

  it("gives each caller the errors of its own entities, the index rebased, and errors without an entity index to all", async () => {
    const { dataSource } = await source();
    const [first, second, third] = await Promise.all([
      dataSource.process(entityFetch(goods(1, 2))),
      dataSource.process(entityFetch(goods(3, 13, 4))),
      dataSource.process(entityFetch(goods(5, 99))),
    ]);
    expect(stocksOf(second as never)).toEqual([30, null, 40]);
    expect(second?.errors).toEqual([
      { message: "no stock for 13", path: ["_entities", 1, "stocks"], extensions: { code: "X" } },
      { message: "a warning for everyone" },
    ]);
    expect(first?.errors).toEqual([{ message: "a warning for everyone" }]);
    expect(third?.errors).toEqual([{ message: "a warning for everyone" }]);
    expect(stocksOf(third as never)).toEqual([50, 990]);
  });

  it("never combines fetches with different tokens, different other variables or a different query", async () => {
    const { subgraph, dataSource } = await source();
    const other = ENTITY_QUERY.replace("{ stocks }", "{ stocks stockStatus }");
    await Promise.all([
      dataSource.process(entityFetch(goods(1), { forwardedHeaders: { authorization: "Bearer a" } })),
      dataSource.process(entityFetch(goods(2), { forwardedHeaders: { authorization: "Bearer b" } })),
      dataSource.process(entityFetch(goods(3), {}, ENTITY_QUERY, { locale: "zh" })),
      dataSource.process(entityFetch(goods(4), {}, ENTITY_QUERY, { locale: "en" })),
      dataSource.process(entityFetch(goods(5), {}, other)),
    ]);
    expect(subgraph.received).toHaveLength(5);
    expect(subgraph.received.map((call) => call.representations.map((r) => r.id))).toEqual([
      ["1"],
      ["2"],
      ["3"],
      ["4"],
      ["5"],
    ]);
    expect(subgraph.received.map((call) => call.authorization).filter(Boolean)).toEqual(["Bearer a", "Bearer b"]);
  });

  it("starts a new call when the next fetch would exceed the most representations per call", async () => {
    const { subgraph, dataSource } = await source({ max: 5 });
    const answers = await Promise.all(
      [goods(1, 2, 3), goods(4, 5), goods(6, 7, 8)].map((page) => dataSource.process(entityFetch(page))),
    );
    expect(subgraph.received.map((call) => call.representations.length)).toEqual([5, 3]);
    expect(answers.map(stocksOf)).toEqual([
      [10, 20, 30],
      [40, 50],
      [60, 70, 80],
    ]);
  });

  it("a caller whose client leaves stops waiting; the others get their entities; when all leave the call is cancelled", async () => {
    const { subgraph, dataSource } = await source({ delayMs: 300 });
    const leaving = new AbortController();
    const first = dataSource.process(entityFetch(goods(1), { signal: leaving.signal }));
    const second = dataSource.process(entityFetch(goods(2)));
    setTimeout(() => leaving.abort(new Error("client went away")), 50);
    await expect(first).rejects.toMatchObject({
      extensions: { code: "SUBGRAPH_UNAVAILABLE", serviceName: "inventory" },
      message: 'subgraph "inventory" is unavailable: the client went away',
    });
    expect(stocksOf(await second)).toEqual([20]);
    expect(subgraph.received).toHaveLength(1);
    expect(subgraph.received[0]?.closedEarly).toBe(false);

    const a = new AbortController();
    const b = new AbortController();
    const both = [
      dataSource.process(entityFetch(goods(3), { signal: a.signal })),
      dataSource.process(entityFetch(goods(4), { signal: b.signal })),
    ];
    setTimeout(() => a.abort(new Error("a left")), 50);
    setTimeout(() => b.abort(new Error("b left")), 80);
    const results = await Promise.allSettled(both);
    expect(results.map((result) => result.status)).toEqual(["rejected", "rejected"]);
    // The subgraph saw the call cut off before its answer.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(subgraph.received).toHaveLength(2);
    expect(subgraph.received[1]?.closedEarly).toBe(true);
  });

  it("a batch whose callers all left before it was sent is never sent", async () => {
    const batches = new EntityBatches(500);
    let sent = 0;
    const left = new AbortController();
    const pending = batches.run(
      "k",
      goods(1),
      async () => {
        sent++;
        return { status: 200, contentType: "application/json", text: "{}" };
      },
      left.signal,
    );
    left.abort(new Error("left at once"));
    await expect(pending).rejects.toThrow("left at once");
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toBe(0);
    expect(batches.counts.calls).toBe(0);
  });

  it("a failed call fails every caller with SUBGRAPH_UNAVAILABLE", async () => {
    const { dataSource } = await source({ status: 502 });
    const results = await Promise.allSettled([
      dataSource.process(entityFetch(goods(1))),
      dataSource.process(entityFetch(goods(2))),
    ]);
    expect(results.map((result) => (result.status === "rejected" ? result.reason.extensions : undefined))).toEqual([
      expect.objectContaining({ code: "SUBGRAPH_UNAVAILABLE", status: 502 }),
      expect.objectContaining({ code: "SUBGRAPH_UNAVAILABLE", status: 502 }),
    ]);
  });

  it("an answer with the wrong number of entities is not split: each fetch is sent again alone and gets its own answer", async () => {
    const { subgraph, dataSource } = await source({ entitiesShort: true });
    const [first, second] = await Promise.all([
      dataSource.process(entityFetch(goods(1, 2))),
      dataSource.process(entityFetch(goods(3))),
    ]);
    // The broken subgraph drops the last entity of every answer: alone, as without combining.
    expect(subgraph.received.map((call) => call.representations.map((r) => r.id))).toEqual([
      ["1", "2", "3"],
      ["1", "2"],
      ["3"],
    ]);
    expect(stocksOf(first as never)).toEqual([10]);
    expect(stocksOf(second as never)).toEqual([]);
  });

  it("a combined call the subgraph refuses as a whole (a cost or size limit) is sent again fetch by fetch", async () => {
    const { subgraph, dataSource } = await source({ refuseAbove: 3 });
    const answers = await Promise.all(
      [goods(1, 2), goods(3, 4), goods(5, 6, 7, 8)].map((page) => dataSource.process(entityFetch(page))),
    );
    expect(subgraph.received.map((call) => call.representations.length)).toEqual([8, 2, 2, 4]);
    expect(stocksOf(answers[0] as never)).toEqual([10, 20]);
    expect(stocksOf(answers[1] as never)).toEqual([30, 40]);
    // The one fetch over the limit alone is refused, as it would have been without combining.
    expect(answers[2]?.data ?? null).toBeNull();
    expect(answers[2]?.errors?.[0]?.extensions?.code).toBe("QUERY_TOO_COMPLEX");
  });

  it("errors that are not objects do not break the split (or the process): each fetch is sent alone", async () => {
    const { subgraph, dataSource } = await source({ nullError: true });
    const answers = await Promise.all([goods(1), goods(2)].map((page) => dataSource.process(entityFetch(page))));
    expect(answers.map(stocksOf)).toEqual([[10], [20]]);
    expect(subgraph.received).toHaveLength(3);
  });

  it("a failed combined call counts as one failure for the circuit breaker, not one per caller", async () => {
    const circuit = new SubgraphCircuit("inventory", { failureThreshold: 2, cooldownMs: 60_000 });
    const { dataSource } = await source({ circuit, url: "http://127.0.0.1:9/graphql" });
    const results = await Promise.allSettled(
      [goods(1), goods(2), goods(3), goods(4)].map((page) => dataSource.process(entityFetch(page))),
    );
    expect(results.map((result) => (result.status === "rejected" ? result.reason.extensions.code : "ok"))).toEqual([
      "SUBGRAPH_UNAVAILABLE",
      "SUBGRAPH_UNAVAILABLE",
      "SUBGRAPH_UNAVAILABLE",
      "SUBGRAPH_UNAVAILABLE",
    ]);
    expect(circuit.state).toBe("closed");
    // A second failed call is the second failure in a row: now it opens.
    await Promise.allSettled([dataSource.process(entityFetch(goods(5)))]);
    expect(circuit.state).toBe("open");
  });

  it("a fetch made after every caller of a batch left, in the same turn, starts a new call instead of joining the cancelled one", async () => {
    const { subgraph, dataSource } = await source();
    const left = new AbortController();
    const gone = dataSource.process(entityFetch(goods(1), { signal: left.signal }));
    left.abort(new Error("left at once"));
    const later = dataSource.process(entityFetch(goods(2)));
    await expect(gone).rejects.toMatchObject({ extensions: { code: "SUBGRAPH_UNAVAILABLE" } });
    expect(stocksOf(await later)).toEqual([20]);
    expect(subgraph.received.map((call) => call.representations.map((r) => r.id))).toEqual([["2"]]);
  });

  it("leaves other queries alone", async () => {
    const { subgraph, dataSource, batches } = await source();
    const notEntities = "query($representations: [_Any!]!) { stockOf(representations: $representations) { id } }";
    await Promise.allSettled([
      dataSource.process(entityFetch(goods(1), {}, notEntities)),
      dataSource.process(entityFetch(goods(2), {}, notEntities)),
    ]);
    expect(subgraph.received).toHaveLength(2);
    expect(batches.counts.fetches).toBe(0);
  });
});
