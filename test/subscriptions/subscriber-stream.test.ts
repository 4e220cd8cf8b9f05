import { coded } from "@emshop/common/errors";
import type { LiveStockEvent } from "@emshop/gateway/subscriptions/live-event";
import { SubscriberStream } from "@emshop/gateway/subscriptions/subscriber-stream";
import { GraphQLError } from "graphql";
import { describe, expect, it } from "vitest";

/* The per-subscription queue on its own: what the transports rely on when a client unsubscribes or lags. */
const event = (cursor: string, goodsId = 1): LiveStockEvent => ({
  id: `db:${cursor}`,
  cursor,
  goodsId,
  events: ["STOCK_CHANGED"],
  stocks: 1,
  stockStatus: "LOW_STOCK",
  at: "2026-01-01T00:00:00.000Z",
});
const cursorsOf = (items: unknown[]) => items.map((item) => (item as LiveStockEvent).cursor);

async function drain(stream: SubscriberStream, count: number) {
  const items: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const next = await stream.next();
    if (next.done) break;
    items.push(next.value);
  }
  return items;
}

describe("SubscriberStream", () => {
  it("gives the replay, then the live events behind its end (the ones it holds already are dropped)", async () => {
    const stream = new SubscriberStream(10, () => undefined);
    stream.push(event("5.1")); // arrived live while the replay was read, and is in it
    stream.push(event("6.3"));
    stream.startWith([event("5.1"), event("5.9")], "5.9223372036854775807");
    stream.push(event("5.2")); // a repeat from the stream (a relay that published again)
    stream.push(event("7.1"));
    expect(cursorsOf(await drain(stream, 4))).toEqual(["5.1", "5.9", "6.3", "7.1"]);
  });

  it("an unsubscribe while waiting for the next event ends it at once and unregisters", async () => {
    let closed = 0;
    const stream = new SubscriberStream(10, () => closed++);
    const pending = stream.next();
    await expect(stream.return()).resolves.toEqual({ done: true, value: undefined });
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    expect(closed).toBe(1);
    stream.push(event("1.1"));
    await expect(stream.next()).resolves.toMatchObject({ done: true });
  });

  it("a subscriber more than maxQueued behind is ended with SUBSCRIBER_TOO_SLOW, its stale queue dropped", async () => {
    let closed = 0;
    const stream = new SubscriberStream(2, () => closed++);
    for (const cursor of ["1.1", "1.2", "1.3"]) stream.push(event(cursor));
    const [only, ...rest] = await drain(stream, 5);
    expect(rest).toEqual([]);
    expect(only).toBeInstanceOf(GraphQLError);
    expect((only as GraphQLError).extensions.code).toBe("SUBSCRIBER_TOO_SLOW");
    expect(closed).toBe(1);
  });

  it("an interruption comes after what is queued, as the last item", async () => {
    const stream = new SubscriberStream(10, () => undefined);
    stream.push(event("1.1"));
    stream.end(coded("STREAM_INTERRUPTED", "resume"));
    const items = await drain(stream, 5);
    expect(items).toHaveLength(2);
    expect((items[1] as GraphQLError).extensions.code).toBe("STREAM_INTERRUPTED");
  });
});
