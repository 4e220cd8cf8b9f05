import type { OrderItem } from "@emshop/inventory/stock/validate";
import { INSUFFICIENT_STOCK, ORDER_CONFLICT, type SellAnswer, type SellRequest, SOLD } from "../bench/flash/answers";
import { ops } from "../inventory/support/operations";
import { random } from "../support/random";

/*
 * The stock storm of `npm run test:cluster`: sells (one goods or several,
 * retries of an earlier order, the same orderSn with other items) mixed with
 * storefront reads of the same goods' stock, from N clients through the load
 * balancer. Each client behaves as the order service must: a call without a
 * definitive answer (no answer, a proxy error, a retryable error such as
 * DATABASE_UNAVAILABLE) is sent again with the same orderSn until it gets one.
 * Every attempt is kept, with when it was sent, so a phase can ask what
 * happened inside a window (a failover, a drained restart).
 */

/** Answers that end an order's calls: the sell happened, or it surely will not. */
export const DEFINITIVE = new Set([SOLD, INSUFFICIENT_STOCK, ORDER_CONFLICT]);

export type StormOp = { kind: "sell"; request: SellRequest } | { kind: "read"; goodsId: number };

export interface Attempt {
  kind: StormOp["kind"];
  orderSn?: string;
  /** SOLD, INSUFFICIENT_STOCK, … for sells, OK for reads, an error code, NO_ANSWER or `HTTP <status>`. */
  code: string;
  /** `extensions.retryable` of the error, when it said. */
  retryable?: boolean;
  message?: string;
  /** Date.now() when sent and answered. */
  sentAt: number;
  answeredAt: number;
}

export interface StormResult {
  attempts: Attempt[];
  /** The definitive answer of every sell call (one per planned sell), for the audit. */
  answers: SellAnswer[];
  /** Calls that got no definitive answer before the deadline (must be none). */
  unanswered: StormOp[];
  seconds: number;
}

export interface StormPlanOptions {
  goods: readonly number[];
  ops: number;
  orderSnPrefix: string;
  seed: number;
  /** Share of reads among the operations (default 0.3). */
  readShare?: number;
}

const sorted = (items: OrderItem[]) => [...items].sort((a, b) => a.goodsId - b.goodsId);

/** A seeded mix: 30% reads, and of the sells 8% retries, 3% same-orderSn-other-items, 15% multi-goods. */
export function planStorm(options: StormPlanOptions): StormOp[] {
  const next = random(options.seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)] as T;
  const orders: SellRequest[] = [];
  const plan: StormOp[] = [];
  while (plan.length < options.ops) {
    const roll = next();
    if (roll < (options.readShare ?? 0.3)) {
      plan.push({ kind: "read", goodsId: pick(options.goods) });
      continue;
    }
    const recent = orders.slice(-200);
    const sellRoll = next();
    if (sellRoll < 0.08 && recent.length > 0) {
      plan.push({ kind: "sell", request: pick(recent) });
    } else if (sellRoll < 0.11 && recent.length > 0) {
      const { orderSn, items } = pick(recent);
      const [first] = items as [OrderItem];
      const other = items.length === 1 ? [{ ...first, num: first.num + 1 }] : [first];
      plan.push({ kind: "sell", request: { orderSn, items: other } });
    } else {
      const chosen = next() < 0.85 ? [pick(options.goods)] : [...new Set([pick(options.goods), pick(options.goods)])];
      const order = {
        orderSn: `${options.orderSnPrefix}${orders.length}`,
        items: sorted(chosen.map((goodsId) => ({ goodsId, num: next() < 0.8 ? 1 : 2 }))),
      };
      orders.push(order);
      plan.push({ kind: "sell", request: order });
    }
  }
  return plan;
}

const READ_STOCK = "query ClusterStock($id: ID!) { goods(id: $id) { id stocks } }";

interface Reply {
  code: string;
  retryable?: boolean;
  message?: string;
  createdAt?: number;
}

/** One POST to the load balancer; whatever happens becomes a Reply (never throws). */
async function post(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<{ reply: Reply; data?: Record<string, unknown> }> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    return { reply: { code: "NO_ANSWER", message: String((error as Error).cause ?? error) } };
  }
  const text = await response.text().catch(() => "");
  let body: { data?: Record<string, unknown>; errors?: { message: string; extensions?: Record<string, unknown> }[] };
  try {
    body = JSON.parse(text);
  } catch {
    // A proxy's own error page (HAProxy's 502/503) is not GraphQL.
    return { reply: { code: `HTTP ${response.status}`, message: text.slice(0, 200) } };
  }
  const [error] = body.errors ?? [];
  if (error) {
    const code = typeof error.extensions?.code === "string" ? error.extensions.code : "NO_CODE";
    const retryable = typeof error.extensions?.retryable === "boolean" ? error.extensions.retryable : undefined;
    return { reply: { code, retryable, message: error.message }, data: body.data };
  }
  return { reply: { code: "OK" }, data: body.data };
}

export interface StormOptions {
  /** The gateways' load balancer (/graphql). */
  url: string;
  /** The order service's headers (authorization). */
  headers: Record<string, string>;
  clients: number;
  /** Per call (default 20 s: longer than the gateway's mutation timeout would be pointless). */
  callTimeoutMs?: number;
  /** How long one operation may keep retrying before it counts as unanswered (default 90 s). */
  operationDeadlineMs?: number;
  /** Asked before each operation is taken: true ends the storm early (the plan is a bound, not a quota). */
  stopWhen?: (taken: number) => boolean;
}

export interface RunningStorm {
  /** Operations taken so far. */
  taken(): number;
  /** Attempts so far (a phase looks at recent ones to see the system settle). */
  attempts: readonly Attempt[];
  done: Promise<StormResult>;
}

/** Starts the plan through the load balancer with `clients` concurrent clients, retrying as an order service does. */
export function startStorm(plan: readonly StormOp[], options: StormOptions): RunningStorm {
  const attempts: Attempt[] = [];
  const answers: SellAnswer[] = [];
  const unanswered: StormOp[] = [];
  const callTimeoutMs = options.callTimeoutMs ?? 20_000;
  const deadlineMs = options.operationDeadlineMs ?? 90_000;
  let cursor = 0;

  const once = async (op: StormOp): Promise<Reply> => {
    const sentAt = Date.now();
    let reply: Reply;
    if (op.kind === "read") {
      const { reply: answer, data } = await post(
        options.url,
        READ_STOCK,
        { id: String(op.goodsId) },
        {},
        callTimeoutMs,
      );
      const goods = data?.goods as { stocks?: unknown } | null | undefined;
      reply = answer.code === "OK" && typeof goods?.stocks !== "number" ? { code: "NO_STOCKS" } : answer;
    } else {
      const variables = {
        orderSn: op.request.orderSn,
        items: op.request.items.map((item) => ({ goodsId: String(item.goodsId), num: item.num })),
      };
      const { reply: answer, data } = await post(options.url, ops.sellStock, variables, options.headers, callTimeoutMs);
      const record = data?.sellStock as { status?: string; createdAt?: string } | null | undefined;
      reply =
        answer.code === "OK" && record?.status
          ? {
              code: record.status === SOLD ? SOLD : `status ${record.status}`,
              createdAt: Date.parse(record.createdAt ?? ""),
            }
          : answer;
    }
    attempts.push({
      kind: op.kind,
      orderSn: op.kind === "sell" ? op.request.orderSn : undefined,
      code: reply.code,
      retryable: reply.retryable,
      message: reply.message,
      sentAt,
      answeredAt: Date.now(),
    });
    return reply;
  };

  const settled = (op: StormOp, reply: Reply) =>
    op.kind === "read" ? reply.code === "OK" : DEFINITIVE.has(reply.code);

  const call = async (op: StormOp) => {
    const started = Date.now();
    const startedAt = performance.now();
    for (let attempt = 0; ; attempt++) {
      const reply = await once(op);
      if (settled(op, reply)) {
        if (op.kind === "sell")
          answers.push({
            ...op.request,
            code: reply.code,
            createdAt: reply.createdAt,
            startedAt,
            ms: performance.now() - startedAt,
          });
        return;
      }
      if (Date.now() - started > deadlineMs) {
        unanswered.push(op);
        return;
      }
      // Back off a little: a failover takes seconds, and a storm of retries would only slow it.
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** Math.min(attempt, 5))));
    }
  };

  const started = performance.now();
  const done = Promise.all(
    Array.from({ length: options.clients }, async () => {
      while (cursor < plan.length && !options.stopWhen?.(cursor)) {
        const index = cursor++;
        await call(plan[index] as StormOp);
      }
    }),
  ).then(() => ({ attempts, answers, unanswered, seconds: (performance.now() - started) / 1000 }));
  return { taken: () => cursor, attempts, done };
}

/** Attempts that did not settle their operation (errors, proxy errors, no answer), by kind and code. */
export function failuresByCode(
  attempts: readonly Attempt[],
  within?: { from: number; to: number },
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const attempt of attempts) {
    if (attempt.code === "OK" || DEFINITIVE.has(attempt.code)) continue;
    if (within && (attempt.answeredAt < within.from || attempt.sentAt > within.to)) continue;
    const code = attempt.retryable === undefined ? attempt.code : `${attempt.code} (retryable: ${attempt.retryable})`;
    const key = `${attempt.kind} ${code}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
