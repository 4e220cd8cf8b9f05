import { openInventoryDb } from "@emshop/db/inventory";
import { SOLD } from "../../bench/flash/answers";
import { checkStorm, type StormVerdict, stockOf } from "../checks";
import type { ClusterServices } from "../services";
import { DEFINITIVE, failuresByCode, planStorm, startStorm } from "../storm";
import type { TopologyDatabase } from "../topology/topology";
import { sleep } from "../topology/wait";

/*
 * Phase 2 of `npm run test:cluster`: the same storm while the inventory
 * database's primary dies (its Patroni agent and its postmaster SIGKILLed).
 * Patroni promotes the synchronous standby by itself; HAProxy's primary
 * route follows Patroni's /primary; PgBouncer reconnects through it. Calls
 * in flight fail with DATABASE_UNAVAILABLE (retryable) and succeed when the
 * client sends them again with the same orderSn. Afterwards, on the new
 * primary: every sell a client was told SOLD is there, nothing twice, no
 * oversell, the ledger adds up. Then the old primary rejoins as a standby.
 */

export interface PrimaryFailoverResult extends StormVerdict {
  ops: number;
  seconds: number;
  killedMember: string;
  newPrimary: string;
  /** From the kill until Patroni's new leader answered /primary. */
  promotionSeconds: number;
  /** The longest time after the kill in which no sell got a definitive answer: the outage clients saw. */
  failoverSeconds: number;
  /** Failed attempts during the outage, by code (and `retryable`). */
  failuresDuringFailover: Record<string, number>;
  /** Of those, the ones not marked retryable by the service (HAProxy or gateway errors count here too). */
  notRetryableFailures: number;
  unanswered: number;
  rejoinedAs: string;
}

export async function primaryFailover(
  services: ClusterServices,
  database: TopologyDatabase,
  options: {
    goods: number[];
    headers: Record<string, string>;
    minOps: number;
    clients: number;
    log(line: string): void;
  },
): Promise<PrimaryFailoverResult> {
  const orderSnPrefix = "cluster-failover-";
  const before = await openInventoryDb({ url: database.primaryUrl, poolSize: 1 });
  const initialStock = await stockOf(before.sql, options.goods).finally(() => before.close());
  let outageOver = false;
  const storm = startStorm(planStorm({ goods: options.goods, ops: 100_000, orderSnPrefix, seed: 20261204 }), {
    url: services.urls.gateway,
    headers: options.headers,
    clients: options.clients,
    stopWhen: (taken) => outageOver && taken >= options.minOps,
  });
  let killedAt = 0;
  const chaos = (async () => {
    while (storm.taken() < options.minOps * 0.2) await sleep(100);
    options.log(`SIGKILL the inventory primary (Patroni and postmaster) at ${storm.taken()} operations`);
    killedAt = Date.now();
    const { killedMember } = await database.killPrimary();
    const promoted = await database.waitForNewPrimary(60_000);
    options.log(`  ${promoted.member} is the new primary after ${promoted.seconds.toFixed(1)} s`);
    // Keep the storm going a while on the new primary, so the retries of the cut-off calls land there.
    await sleep(5000);
    outageOver = true;
    return { killedMember, promoted };
  })().catch((error) => {
    outageOver = true;
    throw error;
  });
  const [result, { killedMember, promoted }] = await Promise.all([storm.done, chaos]);

  // The outage clients saw: the longest stretch after the kill in which no sell got a definitive answer.
  const answeredAt = result.attempts
    .filter((attempt) => attempt.kind === "sell" && DEFINITIVE.has(attempt.code) && attempt.answeredAt >= killedAt)
    .map((attempt) => attempt.answeredAt)
    .sort((a, b) => a - b);
  let outage = { from: killedAt, to: Number.NaN };
  let previous = killedAt;
  for (const at of answeredAt) {
    if (!(at - previous <= outage.to - outage.from)) outage = { from: previous, to: at };
    previous = at;
  }
  const failures = failuresByCode(result.attempts, outage);
  const notRetryable = result.attempts.filter(
    (attempt) =>
      attempt.answeredAt >= outage.from &&
      attempt.sentAt <= outage.to &&
      attempt.code !== "OK" &&
      !DEFINITIVE.has(attempt.code) &&
      attempt.retryable !== true,
  ).length;

  const after = await openInventoryDb({ url: database.primaryUrl, poolSize: 2 });
  let verdict: StormVerdict;
  try {
    verdict = await checkStorm(after.sql, { orderSnPrefix, initialStock }, result.answers);
  } finally {
    await after.close();
  }
  options.log(
    `  sold ${result.answers.filter((answer) => answer.code === SOLD).length} orders; old primary rejoining…`,
  );
  const rejoined = await database.restartMember(killedMember, 60_000);
  return {
    ...verdict,
    ops: storm.taken(),
    seconds: result.seconds,
    killedMember,
    newPrimary: promoted.member,
    promotionSeconds: promoted.seconds,
    failoverSeconds: (outage.to - outage.from) / 1000,
    failuresDuringFailover: failures,
    notRetryableFailures: notRetryable,
    unanswered: result.unanswered.length,
    rejoinedAs: rejoined.role,
  };
}
