import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adjustStock, sell, setStock, untilLive } from "./support/stock-writes";
import { wsConnection } from "./support/subscribers";
import { type SubscriptionStack, startSubscriptionStack } from "./support/subscription-stack";

/*
 * stockChanged over graphql-ws (a WebSocket upgrade of the gateway's /graphql),
 * fed by polling inventory's change feed (no NATS_URL): live changes within a
 * second, and a resume with `after` that gives exactly what was missed, in order,
 * then live changes again.
 */
describe("stockChanged over graphql-ws, polling the change feed", () => {
  let stack: SubscriptionStack;
  beforeAll(async () => {
    stack = await startSubscriptionStack();
  });
  afterAll(() => stack?.stop());

  it("a subscriber to one goods sees a sale through the gateway within 1 s, and nothing of other goods", async () => {
    await setStock(stack.url, "11", 50);
    const connection = wsConnection(stack.wsUrl);
    try {
      const subscriber = connection.subscribe({ goodsIds: ["11", PROBE] });
      await untilLive(stack.url, subscriber, PROBE);
      // The setStock may have arrived live too (committed before, ticked after the subscription started);
      // once the probe is through, everything before it is.
      const seen = ofGoods(subscriber.events, "11").length;
      await sell(stack.url, "12", 1); // not subscribed to
      const sold = Date.now();
      await sell(stack.url, "11", 2);
      await subscriber.until("the sale", () => ofGoods(subscriber.events, "11").length > seen, 1000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(ofGoods(subscriber.events, "12")).toEqual([]);
      const fresh = ofGoods(subscriber.events, "11").slice(seen);
      expect(fresh).toHaveLength(1);
      const [event] = fresh;
      expect(event).toMatchObject({ goodsId: "11", stocks: 48, stockStatus: "IN_STOCK", events: ["STOCK_CHANGED"] });
      expect(event?.receivedAt).toBeLessThan(sold + 1000);
      expect(Date.parse(event?.at ?? "")).toBeGreaterThan(sold - 1000);
      expect(subscriber.errors).toEqual([]);
    } finally {
      await connection.dispose();
    }
  });

  it("resuming with the last cursor replays exactly the missed changes in order, then goes on live", async () => {
    await setStock(stack.url, "21", 10);
    const first = wsConnection(stack.wsUrl);
    const live = first.subscribe({ goodsIds: ["21", "22", PROBE] });
    await untilLive(stack.url, live, PROBE);
    await sell(stack.url, "21", 1);
    // (The setStock above may arrive live too, if the ticker was slower than the subscription.)
    const sale = () => ofGoods(live.events, "21").find((event) => event.stocks === 9);
    await live.until("the sale", () => sale() !== undefined);
    const last = sale()?.cursor as string;
    await first.dispose();

    // Missed while away: a sale, a delivery, and 22 sold out.
    await sell(stack.url, "21", 3);
    await adjustStock(stack.url, "21", 5);
    await setStock(stack.url, "22", 2);
    await sell(stack.url, "22", 2);
    await sell(stack.url, "23", 1); // not subscribed to
    // Let the ticker put them in the feed before resuming, so the replay must carry them.
    await new Promise((resolve) => setTimeout(resolve, 500));

    const second = wsConnection(stack.wsUrl);
    try {
      const resumed = second.subscribe({ goodsIds: ["21", "22"], after: last });
      await resumed.untilEvents(4);
      await sell(stack.url, "21", 1);
      await resumed.untilEvents(5);
      await new Promise((resolve) => setTimeout(resolve, 500)); // nothing more (no repeat) arrives
      expect(resumed.events.map(({ goodsId, stocks, events }) => ({ goodsId, stocks, events }))).toEqual([
        { goodsId: "21", stocks: 6, events: ["STOCK_CHANGED"] },
        { goodsId: "21", stocks: 11, events: ["STOCK_CHANGED"] },
        { goodsId: "22", stocks: 2, events: ["STOCK_CHANGED", "LOW_STOCK"] },
        { goodsId: "22", stocks: 0, events: ["STOCK_CHANGED", "OUT_OF_STOCK"] },
        { goodsId: "21", stocks: 10, events: ["STOCK_CHANGED", "LOW_STOCK"] }, // the threshold is 10
      ]);
      // In feed order, each once, all behind the cursor resumed from.
      const cursors = resumed.cursors;
      expect(new Set(resumed.events.map((event) => event.id)).size).toBe(5);
      expect([...cursors].sort(compare)).toEqual(cursors);
      expect(compare(last, cursors[0] as string)).toBeLessThan(0);
      expect(resumed.errors).toEqual([]);
    } finally {
      await second.dispose();
    }
  });

  it("on stop, the gateway closes its WebSockets with 1001 (going away)", async () => {
    const connection = wsConnection(stack.wsUrl);
    const subscriber = connection.subscribe({ goodsIds: [PROBE] });
    await untilLive(stack.url, subscriber, PROBE);
    await stack.gateway.stop();
    await subscriber.until("the connection to close", () => connection.closes.length > 0);
    expect(connection.closes[0]?.code).toBe(1001);
    await connection.dispose();
  });
});

/** Changed until a subscription shows it is live (see untilLive); never asserted on. */
const PROBE = "99";

const ofGoods = <E extends { goodsId: string }>(events: E[], goodsId: string) =>
  events.filter((event) => event.goodsId === goodsId);

const compare = (a: string, b: string) => {
  const [ta, ma] = a.split(".").map(BigInt) as [bigint, bigint];
  const [tb, mb] = b.split(".").map(BigInt) as [bigint, bigint];
  return ta === tb ? (ma === mb ? 0 : ma < mb ? -1 : 1) : ta < tb ? -1 : 1;
};
