import { randomUUID } from "node:crypto";
import { ops } from "../../inventory/support/operations";
import { type Recorder, wsConnection } from "../../subscriptions/support/subscribers";
import { gql } from "../../support/graphql-client";
import type { ClusterServices } from "../services";
import type { Haproxy } from "../topology/haproxy";
import { sleep, waitFor } from "../topology/wait";

/*
 * Phase 3 of `npm run test:cluster`: a `stockChanged` subscriber connected
 * through the load balancer (graphql-ws) while stock changes; its gateway is
 * SIGKILLed mid-way. The subscriber connects again through the load balancer
 * (to the other gateway) with `after` = the cursor of the last event it got,
 * as the README tells clients to. Every change of its goods in the change feed
 * must reach it exactly once.
 */

export interface SubscriberResumeResult {
  killedGateway: string;
  changes: number;
  received: number;
  missed: number;
  duplicates: number;
  /** Events of goods it did not subscribe to, or not in the feed. */
  unexpected: number;
}

const HEAD = "query ClusterHead { stockChangesHead }";

export async function subscriberResume(
  services: ClusterServices,
  haproxy: Haproxy,
  options: {
    goods: number[];
    orderHeaders: Record<string, string>;
    auditHeaders: Record<string, string>;
    sells: number;
    log(line: string): void;
  },
): Promise<SubscriberResumeResult> {
  const url = services.urls.gateway;
  const wsUrl = url.replace(/^http/, "ws");
  const goodsIds = options.goods.map(String);
  const head = await gql<{ stockChangesHead: string }>(url, HEAD, {}, options.auditHeaders);
  const after = head.data?.stockChangesHead;
  if (!after) throw new Error(`stockChangesHead: ${JSON.stringify(head.errors)}`);

  const recorders: Recorder[] = [];
  const connections: ReturnType<typeof wsConnection>[] = [];
  const subscribe = (cursor: string) => {
    const connection = wsConnection(wsUrl);
    connections.push(connection);
    const recorder = connection.subscribe({ goodsIds, after: cursor });
    recorders.push(recorder);
    return recorder;
  };
  const events = () => recorders.flatMap((recorder) => recorder.events);
  const sell = async (n: number) => {
    const goodsId = goodsIds[n % goodsIds.length] as string;
    const response = await gql(
      url,
      ops.sellStock,
      { orderSn: `cluster-sub-${randomUUID()}`, items: [{ goodsId, num: 1 }] },
      options.orderHeaders,
    );
    if (response.errors) throw new Error(`a sell for the subscriber failed: ${JSON.stringify(response.errors)}`);
  };

  try {
    let current = subscribe(after);
    await sell(0);
    await current.untilEvents(1, 15_000);
    // The subscription is the only client connection now: HAProxy's session count tells whose it is.
    const states = await haproxy.serverStates();
    const holder = states.find((state) => state.proxy === services.proxies.gateway && state.sessions > 0);
    const victim = services.replicas.find((replica) => replica.name === holder?.server);
    if (!victim) throw new Error(`no gateway holds the subscription: ${JSON.stringify(states)}`);

    for (let n = 1; n < options.sells; n++) {
      if (n === Math.floor(options.sells / 3)) {
        options.log(`SIGKILL ${victim.name}, which holds the subscription, after ${n} sells`);
        await services.kill(victim);
        await current.untilEnded(10_000);
        const last = events().at(-1)?.cursor ?? after;
        current = subscribe(last);
      }
      await sell(n);
    }
    // Everything the feed holds for these goods since `after`, once the feed has caught up with the sells.
    const expected = new Map<string, string>();
    await waitFor(
      "the change feed and the subscriber to catch up",
      async () => {
        expected.clear();
        let cursor = after;
        for (;;) {
          const page = await gql<{
            stockChanges: { items: { id: string; goodsId: string }[]; endCursor: string; hasNextPage: boolean };
          }>(url, ops.stockChanges, { after: cursor, first: 500 }, options.auditHeaders);
          const changes = page.data?.stockChanges;
          if (!changes) throw new Error(`stockChanges: ${JSON.stringify(page.errors)}`);
          for (const item of changes.items) if (goodsIds.includes(item.goodsId)) expected.set(item.id, item.goodsId);
          if (!changes.hasNextPage) break;
          cursor = changes.endCursor;
        }
        const received = new Set(events().map((event) => event.id));
        return expected.size >= options.sells && [...expected.keys()].every((id) => received.has(id));
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    ).catch(() => undefined); // the counts below say what is missing
    await sleep(500); // anything duplicated arrives now
    const received = events().map((event) => event.id);
    const unique = new Set(received);
    const result = {
      killedGateway: victim.name,
      changes: expected.size,
      received: received.length,
      missed: [...expected.keys()].filter((id) => !unique.has(id)).length,
      duplicates: received.length - unique.size,
      unexpected: [...unique].filter((id) => !expected.has(id)).length,
    };
    await services.start(victim);
    await services.waitRouted(victim);
    return result;
  } finally {
    for (const recorder of recorders) recorder.stop();
    await Promise.allSettled(connections.map((connection) => connection.dispose()));
  }
}
