import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adjustStock, sell, setStock, untilLive } from "./support/stock-writes";
import { sseSubscribe } from "./support/subscribers";
import { type SubscriptionStack, startSubscriptionStack } from "./support/subscription-stack";

/*
 * The same subscription over graphql-sse (an event stream at
 * /graphql/stream): live changes within a second, a resume with `after`
 * that replays exactly what was missed, and streams ended on stop.
 */
describe("stockChanged over graphql-sse", () => {
  let stack: SubscriptionStack;
  beforeAll(async () => {
    stack = await startSubscriptionStack();
  });
  afterAll(() => stack?.stop());

  it("a subscriber to one goods sees a sale within 1 s", async () => {
    await setStock(stack.url, "41", 30);
    const subscriber = sseSubscribe(stack.sseUrl, { goodsIds: ["41", PROBE] });
    try {
      await untilLive(stack.url, subscriber, PROBE);
      const sold = Date.now();
      await sell(stack.url, "41", 5);
      await subscriber.until("the sale", () => ofGoods(subscriber.events, "41").some((e) => e.stocks === 25), 1000);
      const event = ofGoods(subscriber.events, "41").find((e) => e.stocks === 25);
      expect(event).toMatchObject({ goodsId: "41", stockStatus: "IN_STOCK", events: ["STOCK_CHANGED"] });
      expect(event?.receivedAt).toBeLessThan(sold + 1000);
      expect(subscriber.errors).toEqual([]);
    } finally {
      subscriber.stop();
    }
  });

  it("resuming with the last cursor replays exactly the missed changes in order, then goes on live", async () => {
    await setStock(stack.url, "42", 12);
    const live = sseSubscribe(stack.sseUrl, { goodsIds: ["42", PROBE] });
    await untilLive(stack.url, live, PROBE);
    await sell(stack.url, "42", 1);
    const sale = () => ofGoods(live.events, "42").find((event) => event.stocks === 11);
    await live.until("the sale", () => sale() !== undefined);
    const last = sale()?.cursor as string;
    live.stop();

    await sell(stack.url, "42", 2);
    await adjustStock(stack.url, "42", 4);
    await sell(stack.url, "43", 1); // not subscribed to
    await new Promise((resolve) => setTimeout(resolve, 500));

    const resumed = sseSubscribe(stack.sseUrl, { goodsIds: ["42"], after: last });
    try {
      await resumed.untilEvents(2);
      await sell(stack.url, "42", 13);
      await resumed.untilEvents(3);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(resumed.events.map(({ goodsId, stocks, events }) => ({ goodsId, stocks, events }))).toEqual([
        { goodsId: "42", stocks: 9, events: ["STOCK_CHANGED", "LOW_STOCK"] }, // the threshold is 10
        { goodsId: "42", stocks: 13, events: ["STOCK_CHANGED"] },
        { goodsId: "42", stocks: 0, events: ["STOCK_CHANGED", "OUT_OF_STOCK"] },
      ]);
      expect(resumed.errors).toEqual([]);
    } finally {
      resumed.stop();
    }
  });

  it("on stop, the gateway ends its event streams instead of waiting for them", async () => {
    const subscriber = sseSubscribe(stack.sseUrl, { goodsIds: [PROBE] });
    await untilLive(stack.url, subscriber, PROBE);
    const started = Date.now();
    await stack.gateway.stop();
    // The drain would otherwise wait SHUTDOWN_TIMEOUT_MS (10 s) for the open stream.
    expect(Date.now() - started).toBeLessThan(3000);
    await subscriber.untilEnded();
    subscriber.stop();
  });
});

/** Changed until a subscription shows it is live (see untilLive); never asserted on. */
const PROBE = "98";

const ofGoods = <E extends { goodsId: string }>(events: E[], goodsId: string) =>
  events.filter((event) => event.goodsId === goodsId);
