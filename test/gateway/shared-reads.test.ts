import { createServer, type IncomingMessage, type Server } from "node:http";
import type { GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { SubgraphCircuit } from "@emshop/gateway/circuit-breaker";
import type { GatewayContext } from "@emshop/gateway/context";
import { SharedReads } from "@emshop/gateway/shared-reads";
import { ResilientDataSource } from "@emshop/gateway/subgraph-data-source";
import { type SubgraphHttpAnswer, SubgraphHttpClient } from "@emshop/gateway/subgraph-http-client";
import { afterEach, describe, expect, it } from "vitest";
import { listenStandIn } from "../support/http-stand-in";

/**
 * A real subgraph stand-in: answers every POST after `delayMs` with the body
 * it got (so each caller can tell whose answer it received) and counts them.
 */
async function slowEcho(delayMs: number) {
  const received: { body: string; authorization?: string }[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      received.push({ body, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
      setTimeout(() => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ data: { echo: JSON.parse(body).variables ?? null, n: received.length } }));
      }, delayMs);
    });
  });
  return { ...(await listenStandIn(server)), received };
}

type Options = GraphQLDataSourceProcessOptions<GatewayContext>;

/** What @apollo/gateway hands a data source for one fetch of a client's request. */
function fetchOf(query: string, variables: Record<string, unknown>, context: Partial<GatewayContext> = {}): Options {
  return {
    kind: "incoming operation",
    request: { query, variables },
    context: { forwardedHeaders: {}, signal: new AbortController().signal, ...context },
    incomingRequestContext: {},
  } as unknown as Options;
}

describe("identical subgraph reads in flight share one call", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  async function source(delayMs = 150) {
    const subgraph = await slowEcho(delayMs);
    const client = new SubgraphHttpClient(subgraph.url);
    const shared = new SharedReads<SubgraphHttpAnswer>();
    cleanups.push(subgraph.close, () => client.close());
    const dataSource = new ResilientDataSource(
      "goods",
      subgraph.url,
      { queryMs: 2000, mutationMs: 2000 },
      undefined,
      undefined,
      client,
      shared,
    );
    return { subgraph, dataSource, shared };
  }
  const QUERY = "query($id: ID!) { goods(id: $id) { id } }";

  it("sends one call for identical concurrent queries; each caller gets its own copy of the answer", async () => {
    const { subgraph, dataSource, shared } = await source();
    const answers = await Promise.all([1, 2, 3].map(() => dataSource.process(fetchOf(QUERY, { id: "7" }))));
    expect(subgraph.received).toHaveLength(1);
    expect(answers.map((answer) => answer.data)).toEqual([1, 2, 3].map(() => ({ echo: { id: "7" }, n: 1 })));
    // Parsed once per caller: @apollo/gateway merges into these objects in place.
    expect(answers[0]?.data).not.toBe(answers[1]?.data);
    expect(shared.counts).toEqual({ sent: 1, shared: 2 });
    expect(shared.size).toBe(0);
    // Once answered, the next identical query is a new call.
    await dataSource.process(fetchOf(QUERY, { id: "7" }));
    expect(subgraph.received).toHaveLength(2);
  });

  it("never shares between different variables, different tokens, or mutations", async () => {
    const { subgraph, dataSource } = await source();
    await Promise.all([
      dataSource.process(fetchOf(QUERY, { id: "1" })),
      dataSource.process(fetchOf(QUERY, { id: "2" })),
      dataSource.process(fetchOf(QUERY, { id: "1" }, { forwardedHeaders: { authorization: "Bearer a" } })),
      dataSource.process(fetchOf(QUERY, { id: "1" }, { forwardedHeaders: { authorization: "Bearer b" } })),
      dataSource.process(fetchOf('mutation { sellStock(orderSn: "x", items: []) { orderSn } }', {})),
      dataSource.process(fetchOf('mutation { sellStock(orderSn: "x", items: []) { orderSn } }', {})),
    ]);
    expect(subgraph.received).toHaveLength(6);
    expect(subgraph.received.map((r) => r.authorization).filter(Boolean)).toEqual(["Bearer a", "Bearer b"]);
  });

  it("a caller whose client leaves stops waiting (SUBGRAPH_UNAVAILABLE); the others still get the answer", async () => {
    const { subgraph, dataSource } = await source(300);
    const leaving = new AbortController();
    const first = dataSource.process(fetchOf(QUERY, { id: "9" }, { signal: leaving.signal }));
    const second = dataSource.process(fetchOf(QUERY, { id: "9" }));
    setTimeout(() => leaving.abort(new Error("client went away")), 50);
    await expect(first).rejects.toMatchObject({
      extensions: { code: "SUBGRAPH_UNAVAILABLE", serviceName: "goods" },
      message: 'subgraph "goods" is unavailable: the client went away',
    });
    expect((await second).data).toEqual({ echo: { id: "9" }, n: 1 });
    expect(subgraph.received).toHaveLength(1);
  });

  it("when every caller has left, the shared call itself is cancelled", async () => {
    const shared = new SharedReads<string>();
    let cancelled: unknown;
    const send = (signal: AbortSignal) =>
      new Promise<string>((_resolve, reject) => {
        signal.addEventListener("abort", () => {
          cancelled = signal.reason;
          reject(signal.reason);
        });
      });
    const a = new AbortController();
    const b = new AbortController();
    const first = shared.run("k", send, a.signal);
    const second = shared.run("k", send, b.signal);
    a.abort(new Error("a left"));
    await expect(first).rejects.toThrow("a left");
    expect(cancelled).toBeUndefined(); // b still waits
    b.abort(new Error("b left"));
    await expect(second).rejects.toThrow("b left");
    expect(cancelled).toEqual(new Error("b left"));
    expect(shared.size).toBe(0);
  });

  it("a failed shared call counts as one failure for the circuit breaker, not one per caller", async () => {
    const circuit = new SubgraphCircuit("goods", { failureThreshold: 2, cooldownMs: 60_000 });
    const client = new SubgraphHttpClient("http://127.0.0.1:9/graphql");
    cleanups.push(() => client.close());
    const dataSource = new ResilientDataSource(
      "goods",
      "http://127.0.0.1:9/graphql",
      { queryMs: 2000, mutationMs: 2000 },
      circuit,
      undefined,
      client,
      new SharedReads<SubgraphHttpAnswer>(),
    );
    const results = await Promise.allSettled([1, 2, 3].map(() => dataSource.process(fetchOf(QUERY, { id: "1" }))));
    expect(results.map((result) => result.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect(circuit.state).toBe("closed");
    await Promise.allSettled([dataSource.process(fetchOf(QUERY, { id: "1" }))]);
    expect(circuit.state).toBe("open");
  });

  it("a shared failure reaches every caller, and the next call starts afresh", async () => {
    const shared = new SharedReads<string>();
    let calls = 0;
    const failing = () => {
      calls++;
      return new Promise<string>((_resolve, reject) => setTimeout(() => reject(new Error("down")), 20));
    };
    const results = await Promise.allSettled([shared.run("k", failing), shared.run("k", failing)]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(calls).toBe(1);
    await expect(shared.run("k", async () => "up")).resolves.toBe("up");
  });
});
