import { createServer, type Server, type Socket } from "node:net";
import { startGatewayService } from "@emshop/gateway/main";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SeededGoods, startSeededGoods } from "../support/goods-service";
import { gql } from "../support/graphql-client";
import { quietLogger } from "../support/logs";

const TIMEOUT_MS = 500;
const QUERY = "{ goodsList(pageSize: 5) { total items { id name stocks } } }";

/** A TCP server that accepts connections and never answers: the "slow" inventory. */
async function blackHole(): Promise<{ url: string; server: Server; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/graphql`, server, sockets };
}

/** A port nobody listens on: the "down" inventory. */
async function closedPortUrl() {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/graphql`;
}

describe("when inventory is down or slow, shoppers still get goods", () => {
  let goods: SeededGoods;
  let slow: Awaited<ReturnType<typeof blackHole>>;
  beforeAll(async () => {
    goods = await startSeededGoods("degraded");
    slow = await blackHole();
  });
  afterAll(async () => {
    for (const socket of slow?.sockets ?? []) socket.destroy();
    slow?.server.close();
    await goods?.close();
  });

  it.each([
    ["down", async () => closedPortUrl(), false],
    ["slow", async () => slow.url, true],
  ] as const)(
    "inventory %s: goods with stocks null and a SUBGRAPH_UNAVAILABLE error",
    async (_state, inventoryUrl, timedOut) => {
      const gateway = await startGatewayService({
        logger: quietLogger(),
        port: 0,
        subgraphUrls: { goods: goods.url, inventory: await inventoryUrl() },
        timeouts: { queryMs: TIMEOUT_MS },
      });
      try {
        const started = performance.now();
        const response = await gql(gateway.url, QUERY);
        const elapsed = performance.now() - started;

        expect(response.status).toBe(200);
        expect(response.data?.goodsList.total).toBe(30);
        expect(response.data?.goodsList.items).toHaveLength(5);
        for (const item of response.data?.goodsList.items ?? []) {
          expect(item).toMatchObject({ id: expect.any(String), name: expect.any(String), stocks: null });
        }
        expect(response.errors).toHaveLength(1);
        expect(response.errors?.[0]?.extensions).toMatchObject({
          code: "SUBGRAPH_UNAVAILABLE",
          serviceName: "inventory",
          timedOut,
        });
        // "Quickly": bounded by the subgraph timeout, not by the client's or the OS's patience.
        expect(elapsed).toBeLessThan(TIMEOUT_MS * 10);
      } finally {
        await gateway.stop();
      }
    },
  );
});
