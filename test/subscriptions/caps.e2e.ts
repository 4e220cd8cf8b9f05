import { DEFAULT_LIMITS } from "@emshop/common/limits/options";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tryHandshake } from "./support/handshake";
import { adjustStock, untilLive } from "./support/stock-writes";
import { type Recorder, sseSubscribe, wsConnection } from "./support/subscribers";
import { type SubscriptionStack, startSubscriptionStack } from "./support/subscription-stack";

/*
 * What the subscription refuses, each with a coded GraphQL error (or, for a
 * foreign browser Origin, a coded 403 before any WebSocket exists): arguments,
 * the caps (small here: 3 goods, 2 subscriptions per connection, 3 changes of
 * replay), operations that are not subscriptions, and cursors that are too old.
 */
const SHOP = "https://shop.example";

describe("stockChanged refusals and caps", () => {
  let stack: SubscriptionStack;
  beforeAll(async () => {
    stack = await startSubscriptionStack({
      subscriptions: { maxGoodsIds: 3, maxPerConnection: 2, maxReplay: 3 },
      limits: { ...DEFAULT_LIMITS, corsOrigins: [SHOP] },
    });
  });
  afterAll(() => stack?.stop());

  /** Subscribes once over graphql-ws and waits for the answer to end the subscription. */
  async function refusal(args: Parameters<ReturnType<typeof wsConnection>["subscribe"]>[0], query?: string) {
    const connection = wsConnection(stack.wsUrl);
    try {
      const subscriber = connection.subscribe(args, query);
      await subscriber.untilEnded();
      expect(subscriber.events).toEqual([]);
      return subscriber;
    } finally {
      await connection.dispose();
    }
  }

  it.each([
    ["more goods than SUBSCRIPTION_MAX_GOODS_IDS", { goodsIds: ["1", "2", "3", "4"] }, "TOO_MANY_GOODS_IDS"],
    ["a goods id that names no row", { goodsIds: ["1", "abc"] }, "BAD_USER_INPUT"],
    ["an empty goodsIds", { goodsIds: [] }, "BAD_USER_INPUT"],
    ["an after that is no cursor", { after: "yesterday" }, "BAD_USER_INPUT"],
    ["an after older than the feed retains", { after: "0.0" }, "CURSOR_EXPIRED"],
  ])("%s: %s", async (_what, args, code) => {
    const subscriber = await refusal(args);
    expect(subscriber.codes).toEqual([code]);
  });

  it("the limit's error says the cap", async () => {
    const subscriber = await refusal({ goodsIds: ["1", "2", "3", "4"] });
    expect(subscriber.errors[0]).toMatchObject({ extensions: { code: "TOO_MANY_GOODS_IDS", max: 3 } });
  });

  it.each([
    ["a query", "{ _subscriptionsOnly }", "BAD_REQUEST"],
    ["a document that does not parse", "subscription {", "GRAPHQL_PARSE_FAILED"],
    ["a field the schema lacks", "subscription { stockChanged { onHand } }", "GRAPHQL_VALIDATION_FAILED"],
  ])("%s is refused: %s", async (_what, query, code) => {
    const subscriber = await refusal({}, query);
    expect(subscriber.codes).toEqual([code]);
  });

  it("a connection holds at most SUBSCRIPTION_MAX_PER_CONNECTION subscriptions (TOO_MANY_SUBSCRIPTIONS), a completed one frees its place", async () => {
    const connection = wsConnection(stack.wsUrl);
    try {
      const first = connection.subscribe({ goodsIds: ["1"] });
      const second = connection.subscribe({ goodsIds: ["2", "97"] });
      await untilLive(stack.url, second, "97");
      const third = connection.subscribe({ goodsIds: ["3"] });
      await third.untilEnded();
      expect(third.codes).toEqual(["TOO_MANY_SUBSCRIPTIONS"]);
      expect(third.errors[0]?.extensions).toMatchObject({ max: 2 });
      first.stop();
      const fourth = connection.subscribe({ goodsIds: ["4", "97"] });
      await untilLive(stack.url, fourth, "97");
      expect(fourth.errors).toEqual([]);
    } finally {
      await connection.dispose();
    }
  });

  it("a resume more than SUBSCRIPTION_MAX_REPLAY changes behind is refused with REPLAY_TOO_LONG; at the cap it replays", async () => {
    const connection = wsConnection(stack.wsUrl);
    let start: string;
    try {
      const live = connection.subscribe({ goodsIds: ["96"] });
      await untilLive(stack.url, live, "96");
      // A slow first probe may have been followed by a second: resume behind the last one.
      await new Promise((resolve) => setTimeout(resolve, 700));
      start = live.events.at(-1)?.cursor as string;
    } finally {
      await connection.dispose();
    }
    // Three changes, of other goods too: the cap counts every change the replay reads.
    await adjustStock(stack.url, "96", 1);
    await adjustStock(stack.url, "95", 1);
    await adjustStock(stack.url, "96", 1);
    await new Promise((resolve) => setTimeout(resolve, 500)); // ticked into the feed
    const atCap = wsConnection(stack.wsUrl);
    try {
      const resumed = atCap.subscribe({ goodsIds: ["96"], after: start });
      await resumed.untilEvents(2);
      expect(resumed.errors).toEqual([]);
    } finally {
      await atCap.dispose();
    }
    await adjustStock(stack.url, "95", 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const refused = await refusal({ goodsIds: ["96"], after: start });
    expect(refused.codes).toEqual(["REPLAY_TOO_LONG"]);
    expect(refused.errors[0]?.message).toMatch(/subscribe without after/);
  });

  it("a WebSocket from a browser Origin not in CORS_ORIGINS is refused with 403 at the upgrade; a listed one, the gateway's own and none are let in", async () => {
    expect(await tryHandshake(stack.wsUrl, { origin: "https://evil.example" })).toEqual({
      opened: false,
      status: 403,
      body: {
        errors: [{ message: expect.stringContaining("CORS_ORIGINS"), extensions: { code: "FORBIDDEN_ORIGIN" } }],
      },
    });
    expect(await tryHandshake(stack.wsUrl, { origin: SHOP })).toEqual({ opened: true });
    expect(await tryHandshake(stack.wsUrl, { origin: `http://127.0.0.1:${stack.gateway.port}` })).toEqual({
      opened: true,
    });
    expect(await tryHandshake(stack.wsUrl, {})).toEqual({ opened: true });
    // A listed origin subscribes as usual.
    const connection = wsConnection(stack.wsUrl, { origin: SHOP });
    try {
      const subscriber = connection.subscribe({ goodsIds: ["94"] });
      await untilLive(stack.url, subscriber, "94");
    } finally {
      await connection.dispose();
    }
  });

  it("only /graphql takes WebSocket upgrades", async () => {
    const refused = await tryHandshake(stack.wsUrl.replace("/graphql", "/health/live"), {});
    expect(refused).toMatchObject({ opened: false, status: 404 });
  });

  it("the event stream refuses a foreign Origin (403) and a request that does not accept text/event-stream (406)", async () => {
    const post = (headers: Record<string, string>) =>
      fetch(stack.sseUrl, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ query: "subscription { stockChanged { id } }" }),
      });
    const foreign = await post({ accept: "text/event-stream", origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ errors: [{ extensions: { code: "FORBIDDEN_ORIGIN" } }] });
    const plain = await post({ accept: "application/json" });
    expect(plain.status).toBe(406);
    expect(await plain.json()).toMatchObject({ errors: [{ extensions: { code: "NOT_ACCEPTABLE" } }] });
  });

  it("over the event stream, a refusal is the stream's coded error", async () => {
    const subscriber: Recorder = sseSubscribe(stack.sseUrl, { goodsIds: ["1", "2", "3", "4"] });
    try {
      await subscriber.untilEnded();
      expect(subscriber.codes).toEqual(["TOO_MANY_GOODS_IDS"]);
    } finally {
      subscriber.stop();
    }
  });
});
