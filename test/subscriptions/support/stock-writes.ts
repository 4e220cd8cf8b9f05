import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import { ops } from "../../inventory/support/operations";
import { gql } from "../../support/graphql-client";
import { as } from "../../support/tokens";

/**
 * Stock changes as clients make them, through the gateway: the order service
 * sells (its own token), the admin UI sets and adjusts. Each returns the
 * available stock after the change.
 */
export async function sell(url: string, goodsId: string, num: number): Promise<void> {
  const response = await gql(
    url,
    ops.sellStock,
    { orderSn: `sub-${randomUUID()}`, items: [{ goodsId, num }] },
    await as("order-service"),
  );
  expect(response.errors).toBeUndefined();
}

export async function setStock(url: string, goodsId: string, stocks: number): Promise<void> {
  const response = await gql(url, ops.setStock, { goodsId, stocks, requestId: randomUUID() });
  expect(response.errors).toBeUndefined();
}

export async function adjustStock(url: string, goodsId: string, delta: number): Promise<void> {
  const response = await gql(url, ops.adjustStock, { goodsId, delta, reason: "delivery", requestId: randomUUID() });
  expect(response.errors).toBeUndefined();
}

/**
 * Waits until `subscriber` (subscribed to `probeGoodsId` among others) is live:
 * a subscription has no "subscribed" acknowledgement, so the probe goods is
 * changed until one of its changes arrives. Events from then on are what
 * the test makes; the probe's are for the caller to leave out.
 */
export async function untilLive(
  url: string,
  subscriber: { events: { goodsId: string }[]; errors: unknown[] },
  probeGoodsId: string,
) {
  for (let attempt = 0; attempt < 20; attempt++) {
    await adjustStock(url, probeGoodsId, 1);
    const deadline = Date.now() + 500;
    while (Date.now() < deadline) {
      if (subscriber.events.some((event) => event.goodsId === probeGoodsId)) return;
      if (subscriber.errors.length > 0)
        throw new Error(`the subscription failed: ${JSON.stringify(subscriber.errors)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  throw new Error("the subscription never went live");
}
