import { createServer, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { CircuitOpenError, type CircuitStateName, SubgraphCircuit } from "@emshop/gateway/circuit-breaker";
import type { GatewayContext } from "@emshop/gateway/context";
import { fetchPath, ResilientDataSource } from "@emshop/gateway/subgraph-data-source";
import { GraphQLError, parse } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const COOLDOWN_MS = 100;

class Down extends Error {}
const countsDown = (error: unknown) => error instanceof Down;
const fail = () => Promise.reject(new Down("down"));
const ok = () => Promise.resolve("ok");

function circuit(threshold = 3) {
  const changes: CircuitStateName[] = [];
  const breaker = new SubgraphCircuit("inventory", { failureThreshold: threshold, cooldownMs: COOLDOWN_MS }, (state) =>
    changes.push(state),
  );
  return { breaker, changes };
}

async function failTimes(breaker: SubgraphCircuit, n: number) {
  for (let i = 0; i < n; i++) await expect(breaker.run(fail, countsDown)).rejects.toBeInstanceOf(Down);
}

describe("SubgraphCircuit (cockatiel, consecutive failures)", () => {
  it("opens after `failureThreshold` failures in a row, then fails fast without calling", async () => {
    const { breaker, changes } = circuit(3);
    await failTimes(breaker, 2);
    expect(breaker.state).toBe("closed");
    expect(breaker.consecutiveFailures).toBe(2);
    await failTimes(breaker, 1);
    expect(breaker.state).toBe("open");
    expect(changes).toEqual(["open"]);

    let called = false;
    const started = performance.now();
    await expect(
      breaker.run(async () => {
        called = true;
        return "ok";
      }, countsDown),
    ).rejects.toBeInstanceOf(CircuitOpenError);
    expect(called).toBe(false);
    expect(performance.now() - started).toBeLessThan(20);
  });

  it("a success resets the count; errors the classifier does not count pass through uncounted", async () => {
    const { breaker } = circuit(2);
    await failTimes(breaker, 1);
    await expect(breaker.run(ok, countsDown)).resolves.toBe("ok");
    expect(breaker.consecutiveFailures).toBe(0);
    for (let i = 0; i < 5; i++)
      await expect(breaker.run(() => Promise.reject(new TypeError("bad input")), countsDown)).rejects.toBeInstanceOf(
        TypeError,
      );
    expect(breaker.state).toBe("closed");
    expect(breaker.consecutiveFailures).toBe(0);
  });

  it("after the cool-down one call probes while the others fail fast; its success closes the circuit", async () => {
    const { breaker, changes } = circuit(1);
    await failTimes(breaker, 1);
    await sleep(COOLDOWN_MS + 20);

    let release: (value: string) => void = () => undefined;
    const probe = breaker.run(
      () =>
        new Promise<string>((resolve) => {
          release = resolve;
        }),
      () => true,
    );
    expect(breaker.state).toBe("half-open");
    // Not queued behind the probe (cockatiel alone would make them wait for it).
    await expect(breaker.run(ok, countsDown)).rejects.toBeInstanceOf(CircuitOpenError);
    release("probe ok");
    await expect(probe).resolves.toBe("probe ok");
    expect(breaker.state).toBe("closed");
    expect(changes).toEqual(["open", "half-open", "closed"]);
    await expect(breaker.run(ok, countsDown)).resolves.toBe("ok");
  });

  it("a failed probe re-opens the circuit for another cool-down; the classifier is told it was the probe", async () => {
    const { breaker, changes } = circuit(1);
    await failTimes(breaker, 1);
    await sleep(COOLDOWN_MS + 20);
    const seen: boolean[] = [];
    await expect(
      breaker.run(fail, (error, probe) => {
        seen.push(probe);
        return countsDown(error);
      }),
    ).rejects.toBeInstanceOf(Down);
    expect(seen).toEqual([true]);
    expect(breaker.state).toBe("open");
    expect(changes).toEqual(["open", "half-open", "open"]);
    await expect(breaker.run(ok, countsDown)).rejects.toBeInstanceOf(CircuitOpenError);
  });

  it("a straggler failing after the circuit opened is not counted and does not re-open it behind the probe", async () => {
    const { breaker } = circuit(1);
    let failStraggler: (error: Error) => void = () => undefined;
    const straggler = breaker.run(
      () =>
        new Promise<string>((_resolve, reject) => {
          failStraggler = reject;
        }),
      countsDown,
    );
    await failTimes(breaker, 1); // opens
    await sleep(COOLDOWN_MS + 20);
    let releaseProbe: (value: string) => void = () => undefined;
    const probe = breaker.run(
      () =>
        new Promise<string>((resolve) => {
          releaseProbe = resolve;
        }),
      countsDown,
    );
    failStraggler(new Down("late"));
    await expect(straggler).rejects.toBeInstanceOf(Down);
    expect(breaker.state).toBe("half-open");
    releaseProbe("ok");
    await probe;
    expect(breaker.state).toBe("closed");
  });

  it("reports since when it last changed state", async () => {
    const { breaker } = circuit(1);
    const before = Date.now();
    await failTimes(breaker, 1);
    expect(breaker.since.getTime()).toBeGreaterThanOrEqual(before);
  });
});

/** A TCP server that accepts connections and never answers. */
let blackHole: { url: string; close(): void };
beforeAll(async () => {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  blackHole = {
    url: `http://127.0.0.1:${port}/graphql`,
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
});
afterAll(() => blackHole?.close());

function fetchFor(query: string) {
  const context: GatewayContext = { forwardedHeaders: {}, signal: new AbortController().signal };
  return {
    kind: "incoming operation",
    request: { query },
    context,
    incomingRequestContext: {},
    pathInIncomingRequest: ["goodsList", "items", "@"],
  } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>;
}

describe("ResilientDataSource with a circuit", () => {
  const ENTITY_QUERY =
    "query Q__inventory__1($representations:[_Any!]!){_entities(representations:$representations){...on Good{stocks}}}";

  it("query timeouts count; once open the error says circuitOpen and carries the field's path", async () => {
    const breaker = new SubgraphCircuit("inventory", { failureThreshold: 2, cooldownMs: 60_000 });
    const source = new ResilientDataSource("inventory", blackHole.url, { queryMs: 50, mutationMs: 50 }, breaker);
    for (let i = 0; i < 2; i++) {
      const error = await source.process(fetchFor(ENTITY_QUERY)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GraphQLError);
      expect(error).toMatchObject({
        path: ["goodsList", "items", 0, "stocks"],
        extensions: { code: "SUBGRAPH_UNAVAILABLE", timedOut: true, circuitOpen: false },
      });
    }
    expect(breaker.state).toBe("open");
    const started = performance.now();
    const error = await source.process(fetchFor(ENTITY_QUERY)).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(20);
    expect(error).toMatchObject({
      path: ["goodsList", "items", 0, "stocks"],
      extensions: { code: "SUBGRAPH_UNAVAILABLE", serviceName: "inventory", circuitOpen: true },
    });
  });

  it("mutation timeouts do not count (a slow write is not an outage)", async () => {
    const breaker = new SubgraphCircuit("inventory", { failureThreshold: 2, cooldownMs: 60_000 });
    const source = new ResilientDataSource("inventory", blackHole.url, { queryMs: 50, mutationMs: 50 }, breaker);
    for (let i = 0; i < 4; i++)
      await expect(source.process(fetchFor("mutation M { sell(id: 1) { ok } }"))).rejects.toMatchObject({
        extensions: { code: "SUBGRAPH_UNAVAILABLE", timedOut: true },
      });
    expect(breaker.state).toBe("closed");
    expect(breaker.consecutiveFailures).toBe(0);
  });
});

describe("fetchPath", () => {
  it("an entity fetch: the fetch's position, '@' as the first element, then the first field asked for", () => {
    expect(
      fetchPath(parse("query($r:[_Any!]!){_entities(representations:$r){...on Good{stocks stockStatus}}}"), [
        "goodsList",
        "items",
        "@",
      ]),
    ).toEqual(["goodsList", "items", 0, "stocks"]);
  });
  it("a root fetch: the first root field, by its alias", () => {
    expect(fetchPath(parse("{ s: stock(goodsId: 1) { stocks } }"), [])).toEqual(["s"]);
    expect(fetchPath(parse("{ __typename }"), [])).toBeUndefined();
  });
});
