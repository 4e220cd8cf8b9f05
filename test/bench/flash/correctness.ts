import { openInventoryDb } from "@emshop/db/inventory";
import { ledgerViolations } from "@emshop/inventory/stock/invariants";
import { percentile } from "../catalog-scale/measure";
import { INSUFFICIENT_STOCK, ORDER_CONFLICT, type SellAnswer, type Seller, SOLD } from "./answers";
import { auditFlash } from "./audit";
import { type CpuSeconds, cpuMsPer, limitOf, startCpuMeter } from "./cpu";
import { latencyOf, runPlan } from "./drive";
import type { PlannedSell } from "./plan";

export interface CorrectnessTarget {
  name: string;
  sell: Seller;
  databaseUrl: string;
  goodsId: number;
  orderSnPrefix: string;
  pids: { inventory: number; gateway?: number };
}

export interface CorrectnessFigures {
  target: string;
  orders: number;
  initialStock: number;
  /** Units gone from the goods (initial − on hand). */
  sold: number;
  /** Distinct orderSns that ended without a record (refused for stock). */
  insufficient: number;
  calls: number;
  codes: Record<string, number>;
  retries: number;
  conflicts: number;
  doubleTaken: number;
  ledgerViolations: number;
  elapsedS: number;
  sellsPerSec: number;
  refusedPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** INSUFFICIENT_STOCK answers to calls sent after the last unit was sold, and their p99. */
  soldOutTail: { answers: number; p99Ms: number };
  cpuMsPerAnswer: CpuSeconds;
  /** Share of the machine's CPU that was busy meanwhile (anyone's). */
  machineBusy: number;
  limit: string;
  /** Every failed check; empty when the target passed. */
  failures: string[];
}

/** When the last unit was gone: the latest of each sold orderSn's earliest SOLD answer (a later replay does not count). */
function soldOutAt(answers: readonly SellAnswer[]): number {
  const firstSold = new Map<string, number>();
  for (const answer of answers) {
    if (answer.code !== SOLD) continue;
    const at = answer.startedAt + answer.ms;
    firstSold.set(answer.orderSn, Math.min(at, firstSold.get(answer.orderSn) ?? at));
  }
  return Math.max(...firstSold.values());
}

/**
 * What a repeat must answer, from its order's first answer: a retry the same
 * (the same record when sold), a conflict ORDER_CONFLICT when the order was
 * sold, else INSUFFICIENT_STOCK (the stock was gone then, and stays gone).
 */
function repeatFailure(planned: PlannedSell, answer: SellAnswer, first: SellAnswer | undefined): string | null {
  if (planned.kind === "first") return null;
  const { orderSn } = planned.request;
  if (!first) return `${orderSn}: a ${planned.kind} without a first call`;
  if (planned.kind === "retry") {
    if (answer.code === first.code && answer.createdAt === first.createdAt) return null;
    return `${orderSn}: retry answered ${answer.code} (record ${answer.createdAt}), the first call ${first.code} (record ${first.createdAt})`;
  }
  const expected = first.code === SOLD ? ORDER_CONFLICT : INSUFFICIENT_STOCK;
  return answer.code === expected
    ? null
    : `${orderSn}: conflict (2 units) answered ${answer.code}, expected ${expected} after the first call's ${first.code}`;
}

const SHOWN = 10;

/** Runs the plan against one target (its goods at `initialStock`), then checks every answer against its database. */
export async function checkFlashSale(
  target: CorrectnessTarget,
  plan: readonly PlannedSell[],
  options: { clients: number; orders: number; initialStock: number },
): Promise<CorrectnessFigures> {
  const meter = startCpuMeter(target.pids);
  const { answers, elapsedS } = await runPlan(plan, options.clients, target.sell);
  const cpu = meter.stop();
  const all = answers.map((entry) => entry.answer);

  const failures: string[] = [];
  const firsts = new Map(
    answers.filter((entry) => entry.planned.kind === "first").map((entry) => [entry.answer.orderSn, entry.answer]),
  );
  for (const { planned, answer } of answers) {
    const failure = repeatFailure(planned, answer, firsts.get(planned.request.orderSn));
    if (failure) failures.push(failure);
  }

  const db = await openInventoryDb({ url: target.databaseUrl, poolSize: 2 });
  let audit: Awaited<ReturnType<typeof auditFlash>>;
  let ledger: string[];
  try {
    audit = await auditFlash(
      db.sql,
      { orderSnPrefix: target.orderSnPrefix, initialStock: new Map([[target.goodsId, options.initialStock]]) },
      all,
    );
    ledger = await ledgerViolations(db.sql);
  } finally {
    await db.close();
  }
  failures.push(...audit.violations, ...ledger.map((violation) => `ledger: ${violation}`));
  const goods = audit.goods[0];
  const sold = goods ? goods.initial - goods.remaining : Number.NaN;
  const expectedSold = Math.min(options.initialStock, options.orders);
  if (sold !== expectedSold) failures.push(`${sold} units sold, expected exactly ${expectedSold}`);
  if (audit.doubleTaken > 0) failures.push(`${audit.doubleTaken} units or orders taken twice`);

  const codes: Record<string, number> = {};
  for (const answer of all) codes[answer.code] = (codes[answer.code] ?? 0) + 1;
  const soldOut = soldOutAt(all);
  const tail = all
    .filter((answer) => answer.code === INSUFFICIENT_STOCK && answer.startedAt >= soldOut)
    .map((answer) => answer.ms)
    .sort((a, b) => a - b);
  const answerCount = all.length;
  const count = (kind: PlannedSell["kind"]) => plan.filter((planned) => planned.kind === kind).length;
  return {
    target: target.name,
    orders: options.orders,
    initialStock: options.initialStock,
    sold,
    insufficient: options.orders - audit.soldOrders,
    calls: answerCount,
    codes,
    retries: count("retry"),
    conflicts: count("conflict"),
    doubleTaken: audit.doubleTaken,
    ledgerViolations: ledger.length,
    elapsedS,
    sellsPerSec: sold / elapsedS,
    refusedPerSec: (answerCount - (codes[SOLD] ?? 0)) / elapsedS,
    ...latencyOf(all),
    soldOutTail: { answers: tail.length, p99Ms: percentile(tail, 99) },
    cpuMsPerAnswer: cpuMsPer(cpu.seconds, answerCount),
    machineBusy: cpu.machineBusy,
    limit: limitOf(cpu, elapsedS),
    failures: failures.length > SHOWN ? [...failures.slice(0, SHOWN), `… ${failures.length - SHOWN} more`] : failures,
  };
}
