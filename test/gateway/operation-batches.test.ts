import { createServer, type IncomingMessage, type Server } from "node:http";
import type { GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { BATCH_PARTS_HEADER, type BatchPart, joinBatch } from "@emshop/common/batch-protocol";
import { SubgraphCircuit } from "@emshop/gateway/circuit-breaker";
import type { GatewayContext } from "@emshop/gateway/context";
import { OperationBatches } from "@emshop/gateway/operation-batches";
import { ResilientDataSource } from "@emshop/gateway/subgraph-data-source";
import { SubgraphHttpClient } from "@emshop/gateway/subgraph-http-client";
import { afterEach, describe, expect, it } from "vitest";
import { listenStandIn } from "../support/http-stand-in";

interface Received {
  /** The body was an array (a batch). */
  batch: boolean;
  ids: number[];
  authorization?: string;
  closedEarly: boolean;
}

type Mode = "batches" | "refuses-batches" | "fails" | "bad-parts-header";

/**
 * A real goods stand-in: `goods(id)` answers `{ id, name: "商品 <id>" }` (a
 * name whose UTF-8 and UTF-16 lengths differ) after `delayMs`; id 13 is
 * refused with HTTP 400 and a GraphQL error. A batch (array body) is answered
 * as the subgraphs do (@emshop/common/batch-protocol) or, by `mode`, refused
 * as Apollo refuses it, failed with a 502 page, or sent with a parts header
 * that does not fit its body.
 */
async function goodsSubgraph(mode: Mode = "batches", delayMs = 20) {
  const received: Received[] = [];
  const answerOf = (operation: { variables?: { id?: number } }): BatchPart => {
    const id = operation.variables?.id ?? 0;
    if (id === 13)
      return {
        status: 400,
        text: JSON.stringify({ errors: [{ message: "no goods 13", extensions: { code: "BAD_USER_INPUT" } }] }),
      };
    return { status: 200, text: JSON.stringify({ data: { goods: { id, name: `商品 ${id}` } } }) };
  };
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      const parsed = JSON.parse(body) as unknown;
      const operations = (Array.isArray(parsed) ? parsed : [parsed]) as { variables?: { id?: number } }[];
      const entry: Received = {
        batch: Array.isArray(parsed),
        ids: operations.map((operation) => operation.variables?.id ?? 0),
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        closedEarly: false,
      };
      received.push(entry);
      res.on("close", () => {
        if (!res.writableFinished) entry.closedEarly = true;
      });
      setTimeout(() => {
        if (mode === "fails") {
          res.writeHead(502, { "content-type": "text/html" });
          res.end("<h1>bad gateway</h1>");
          return;
        }
        if (!entry.batch) {
          const { status, text } = answerOf(operations[0] ?? {});
          res.writeHead(status, { "content-type": "application/json" });
          res.end(text);
          return;
        }
        if (mode === "refuses-batches") {
          res.writeHead(400, { "content-type": "application/json" });
          res.end(JSON.stringify({ errors: [{ message: "Operation batching disabled." }] }));
          return;
        }
        const { body: reply, header } = joinBatch(operations.map(answerOf));
        res.writeHead(200, {
          "content-type": "application/json",
          [BATCH_PARTS_HEADER]:
            mode === "bad-parts-header" ? header.replace(/:(\d+)/, (_, n) => `:${Number(n) + 1}`) : header,
        });
        res.end(reply);
      }, delayMs);
    });
  });
  return { ...(await listenStandIn(server)), received };
}

type Options = GraphQLDataSourceProcessOptions<GatewayContext>;

const GOODS_QUERY = "query Detail__goods__0($id: Int!) { goods(id: $id) { id name } }";

/** What @apollo/gateway hands a data source for the root fetch of a client's request. */
function rootFetch(id: number, context: Partial<GatewayContext> = {}, query = GOODS_QUERY): Options {
  return {
    kind: "incoming operation",
    request: { query, variables: { id }, operationName: "Detail__goods__0" },
    context: { forwardedHeaders: {}, signal: new AbortController().signal, ...context },
    incomingRequestContext: {},
  } as unknown as Options;
}

const nameOf = (answer: { data?: Record<string, unknown> | null }) =>
  (answer.data?.goods as { name?: string } | undefined)?.name ?? null;

describe("the root queries of one turn go to the subgraph as one batched call", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  async function source(
    options: { mode?: Mode; delayMs?: number; max?: number; circuit?: SubgraphCircuit; url?: string } = {},
  ) {
    const subgraph = await goodsSubgraph(options.mode, options.delayMs);
    const url = options.url ?? subgraph.url;
    const client = new SubgraphHttpClient(url);
    const batches = new OperationBatches(options.max ?? 20);
    cleanups.push(subgraph.close, () => client.close());
    const dataSource = new ResilientDataSource(
      "goods",
      url,
      { queryMs: 2000, mutationMs: 2000 },
      options.circuit,
      undefined,
      client,
      undefined,
      undefined,
      batches,
    );
    return { subgraph, dataSource, batches };
  }

  it("sends concurrent queries in one call and gives each caller exactly its own answer", async () => {
    const { subgraph, dataSource, batches } = await source();
    const answers = await Promise.all([1, 2, 3, 4].map((id) => dataSource.process(rootFetch(id))));
    expect(subgraph.received).toEqual([{ batch: true, ids: [1, 2, 3, 4], closedEarly: false }]);
    expect(answers.map(nameOf)).toEqual(["商品 1", "商品 2", "商品 3", "商品 4"]);
    expect(answers.every((answer) => answer.errors === undefined)).toBe(true);
    expect(batches.counts).toEqual({ operations: 4, calls: 1 });
    expect(batches.size).toBe(0);
    // A lone query (the next turn) goes out as it is, not as a batch of one.
    expect(nameOf(await dataSource.process(rootFetch(5)))).toBe("商品 5");
    expect(subgraph.received[1]).toEqual({ batch: false, ids: [5], closedEarly: false });
  });

  it("keeps each operation's own status and errors: a refused one does not spoil the others", async () => {
    const { dataSource } = await source();
    const [first, refused, third] = await Promise.all([1, 13, 3].map((id) => dataSource.process(rootFetch(id))));
    expect(nameOf(first as never)).toBe("商品 1");
    expect(nameOf(third as never)).toBe("商品 3");
    expect(refused?.data ?? null).toBeNull();
    expect(refused?.errors).toEqual([{ message: "no goods 13", extensions: { code: "BAD_USER_INPUT" } }]);
  });

  it("never batches queries with different tokens, nor mutations", async () => {
    const { subgraph, dataSource } = await source();
    await Promise.all([
      dataSource.process(rootFetch(1, { forwardedHeaders: { authorization: "Bearer a" } })),
      dataSource.process(rootFetch(2, { forwardedHeaders: { authorization: "Bearer b" } })),
      dataSource.process(rootFetch(3, { forwardedHeaders: { authorization: "Bearer a" } })),
    ]);
    const calls = subgraph.received.map((call) => ({
      ids: call.ids,
      authorization: call.authorization,
      batch: call.batch,
    }));
    expect(calls.sort((x, y) => (x.ids[0] ?? 0) - (y.ids[0] ?? 0))).toEqual([
      { ids: [1, 3], authorization: "Bearer a", batch: true },
      { ids: [2], authorization: "Bearer b", batch: false },
    ]);
    const mutation = "mutation Rename__goods__0($id: Int!) { goods(id: $id) { id name } }";
    await Promise.all([dataSource.process(rootFetch(4, {}, mutation)), dataSource.process(rootFetch(5, {}, mutation))]);
    expect(subgraph.received.slice(2).map((call) => call.batch)).toEqual([false, false]);
  });

  it("starts the next call when a batch holds the most operations it may", async () => {
    const { subgraph, dataSource } = await source({ max: 2 });
    const answers = await Promise.all([1, 2, 3, 4, 5].map((id) => dataSource.process(rootFetch(id))));
    expect(subgraph.received.map((call) => call.ids)).toEqual([[1, 2], [3, 4], [5]]);
    expect(answers.map(nameOf)).toEqual(["商品 1", "商品 2", "商品 3", "商品 4", "商品 5"]);
  });

  it("a subgraph that takes no batches gets each query again on its own, and every caller its answer", async () => {
    const { subgraph, dataSource, batches } = await source({ mode: "refuses-batches" });
    const answers = await Promise.all([1, 2, 3].map((id) => dataSource.process(rootFetch(id))));
    expect(answers.map(nameOf)).toEqual(["商品 1", "商品 2", "商品 3"]);
    expect(subgraph.received.map((call) => ({ batch: call.batch, ids: call.ids }))).toEqual([
      { batch: true, ids: [1, 2, 3] },
      { batch: false, ids: [1] },
      { batch: false, ids: [2] },
      { batch: false, ids: [3] },
    ]);
    expect(batches.counts.calls).toBe(4);
  });

  it("a reply whose parts header does not fit its body is not cut: each query is sent again alone", async () => {
    const { subgraph, dataSource } = await source({ mode: "bad-parts-header" });
    const answers = await Promise.all([1, 2].map((id) => dataSource.process(rootFetch(id))));
    expect(answers.map(nameOf)).toEqual(["商品 1", "商品 2"]);
    expect(subgraph.received.map((call) => call.batch)).toEqual([true, false, false]);
  });

  it("a failed call fails every caller with SUBGRAPH_UNAVAILABLE, counted once by the circuit breaker", async () => {
    const { dataSource } = await source({ mode: "fails" });
    const results = await Promise.allSettled([1, 2].map((id) => dataSource.process(rootFetch(id))));
    expect(results.map((result) => (result.status === "rejected" ? result.reason.extensions : undefined))).toEqual([
      expect.objectContaining({ code: "SUBGRAPH_UNAVAILABLE", status: 502 }),
      expect.objectContaining({ code: "SUBGRAPH_UNAVAILABLE", status: 502 }),
    ]);

    const circuit = new SubgraphCircuit("goods", { failureThreshold: 2, cooldownMs: 60_000 });
    const unreachable = await source({ circuit, url: "http://127.0.0.1:9/graphql" });
    const failed = await Promise.allSettled([1, 2, 3, 4].map((id) => unreachable.dataSource.process(rootFetch(id))));
    expect(failed.every((result) => result.status === "rejected")).toBe(true);
    expect(circuit.state).toBe("closed");
    await Promise.allSettled([unreachable.dataSource.process(rootFetch(5))]);
    expect(circuit.state).toBe("open");
  });

  it("a caller whose client leaves stops waiting; the others get their answers; when all leave the call is cancelled", async () => {
    const { subgraph, dataSource } = await source({ delayMs: 300 });
    const leaving = new AbortController();
    const first = dataSource.process(rootFetch(1, { signal: leaving.signal }));
    const second = dataSource.process(rootFetch(2));
    setTimeout(() => leaving.abort(new Error("client went away")), 50);
    await expect(first).rejects.toMatchObject({
      extensions: { code: "SUBGRAPH_UNAVAILABLE", serviceName: "goods" },
      message: 'subgraph "goods" is unavailable: the client went away',
    });
    expect(nameOf(await second)).toBe("商品 2");
    expect(subgraph.received[0]).toMatchObject({ batch: true, ids: [1, 2], closedEarly: false });

    const a = new AbortController();
    const b = new AbortController();
    const both = [
      dataSource.process(rootFetch(3, { signal: a.signal })),
      dataSource.process(rootFetch(4, { signal: b.signal })),
    ];
    setTimeout(() => a.abort(new Error("a left")), 50);
    setTimeout(() => b.abort(new Error("b left")), 80);
    const results = await Promise.allSettled(both);
    expect(results.map((result) => result.status)).toEqual(["rejected", "rejected"]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(subgraph.received).toHaveLength(2);
    expect(subgraph.received[1]?.closedEarly).toBe(true);
  });

  it("a caller that left before the batch went out is not in it; a batch everyone left is never sent", async () => {
    const { subgraph, dataSource } = await source();
    const left = new AbortController();
    const gone = dataSource.process(rootFetch(1, { signal: left.signal }));
    const stays = dataSource.process(rootFetch(2));
    left.abort(new Error("left at once"));
    await expect(gone).rejects.toMatchObject({ extensions: { code: "SUBGRAPH_UNAVAILABLE" } });
    expect(nameOf(await stays)).toBe("商品 2");
    expect(subgraph.received.map((call) => ({ batch: call.batch, ids: call.ids }))).toEqual([
      { batch: false, ids: [2] },
    ]);

    const batches = new OperationBatches(20);
    let sent = 0;
    const everyoneLeft = new AbortController();
    const pending = batches.run(
      "k",
      "{}",
      async () => {
        sent++;
        return { status: 200, contentType: "application/json", text: "{}" };
      },
      everyoneLeft.signal,
    );
    everyoneLeft.abort(new Error("left at once"));
    await expect(pending).rejects.toThrow("left at once");
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toBe(0);
    expect(batches.counts.calls).toBe(0);
  });
});
