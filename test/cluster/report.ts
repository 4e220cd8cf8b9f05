import type { PrimaryFailoverResult } from "./phases/primary-failover";
import type { ReplicaReadsResult } from "./phases/replica-reads";
import type { ReplicaRestartsResult } from "./phases/replica-restarts";
import type { SubscriberResumeResult } from "./phases/subscriber-resume";

/** The table and the last JSON line of `npm run test:cluster`; returns whether every check held. */
export function printReport(results: {
  restarts: ReplicaRestartsResult;
  failover: PrimaryFailoverResult;
  subscriber: SubscriberResumeResult;
  reads: ReplicaReadsResult;
  seconds: number;
}): boolean {
  const { restarts, failover, subscriber, reads } = results;
  const checks: [string, boolean, string][] = [
    ["oversell (both storms)", restarts.oversell + failover.oversell === 0, `${restarts.oversell + failover.oversell}`],
    [
      "ledger mismatches (per goods)",
      restarts.ledgerMismatch + failover.ledgerMismatch === 0,
      `${restarts.ledgerMismatch + failover.ledgerMismatch}`,
    ],
    [
      "acknowledged sells lost",
      restarts.ackedLost + failover.ackedLost === 0,
      `${restarts.ackedLost + failover.ackedLost}`,
    ],
    [
      "applied twice",
      restarts.doubleApplied + failover.doubleApplied === 0,
      `${restarts.doubleApplied + failover.doubleApplied}`,
    ],
    [
      "other answer/record/ledger disagreements",
      restarts.violations.length + failover.violations.length === 0,
      [...restarts.violations, ...failover.violations].slice(0, 5).join("; ") || "0",
    ],
    [
      "operations without a definitive answer",
      restarts.unanswered + failover.unanswered === 0,
      `${restarts.unanswered + failover.unanswered}`,
    ],
    [
      "failed calls during the drained rolling restart",
      restarts.drainedRestartFailures === 0,
      `${restarts.drainedRestartFailures} ${JSON.stringify(restarts.drainedRestartFailuresByCode)}`,
    ],
    [
      "failover completed by itself",
      Number.isFinite(failover.failoverSeconds),
      `${failover.killedMember} → ${failover.newPrimary}: promoted in ${failover.promotionSeconds.toFixed(1)} s, sells again after ${failover.failoverSeconds.toFixed(1)} s`,
    ],
    [
      "failures during the failover were retryable",
      failover.notRetryableFailures === 0,
      `${failover.notRetryableFailures} not; ${JSON.stringify(failover.failuresDuringFailover)}`,
    ],
    ["old primary rejoined as a standby", failover.rejoinedAs !== "leader", failover.rejoinedAs],
    [
      "subscriber resumed: missed / duplicated / unexpected",
      subscriber.missed + subscriber.duplicates + subscriber.unexpected === 0 && subscriber.changes > 0,
      `${subscriber.missed} / ${subscriber.duplicates} / ${subscriber.unexpected} of ${subscriber.changes} changes (${subscriber.killedGateway} killed)`,
    ],
    [
      "catalog reads served by the standby",
      // Fewer statements than reads: the gateways share identical reads in flight. The primary
      // gets only the replicas' readiness checks (SELECT 1), a few per second.
      reads.replicaStatements >= reads.reads * 0.8 &&
        reads.primaryStatements < reads.replicaStatements * 0.1 &&
        reads.standbyTransactions >= reads.replicaStatements * 0.5 &&
        reads.readErrors === 0,
      `${reads.reads} reads: ${reads.replicaStatements} statements to the replica route, ${reads.primaryStatements} to the primary; ` +
        `${reads.standbyTransactions} transactions on the standby, ${reads.primaryTransactions} on the primary; ${reads.readErrors} errors`,
    ],
    [
      "replica answers equal the primary's after replay",
      reads.mismatches === 0 && reads.compared > 0,
      `${reads.mismatches} of ${reads.compared} differ`,
    ],
  ];
  console.log(
    `\nnpm run test:cluster: phase 1 ${restarts.ops} operations in ${restarts.seconds.toFixed(1)} s ` +
      `(killed ${restarts.killed.join(", ")}: ${JSON.stringify(restarts.failuresAfterKills)} retried; drained restart ${restarts.drainedRestartSeconds.toFixed(1)} s); ` +
      `phase 2 ${failover.ops} operations in ${failover.seconds.toFixed(1)} s; ${restarts.soldOrders + failover.soldOrders} orders sold\n`,
  );
  const width = Math.max(...checks.map(([name]) => name.length));
  for (const [name, ok, detail] of checks) console.log(`${ok ? "ok  " : "FAIL"}  ${name.padEnd(width)}  ${detail}`);
  const ok = checks.every(([, passed]) => passed);
  console.log(
    JSON.stringify({
      oversell: restarts.oversell + failover.oversell,
      ledgerMismatch: restarts.ledgerMismatch + failover.ledgerMismatch,
      ackedLost: restarts.ackedLost + failover.ackedLost,
      doubleApplied: restarts.doubleApplied + failover.doubleApplied,
      drainedRestartFailures: restarts.drainedRestartFailures,
      failoverSeconds: Number(failover.failoverSeconds.toFixed(2)),
      promotionSeconds: Number(failover.promotionSeconds.toFixed(2)),
      failoverNotRetryable: failover.notRetryableFailures,
      stormOps: restarts.ops + failover.ops,
      subscriberMissed: subscriber.missed,
      subscriberDuplicates: subscriber.duplicates,
      standbyTransactions: reads.standbyTransactions,
      replicaStatements: reads.replicaStatements,
      primaryStatements: reads.primaryStatements,
      replicaMismatches: reads.mismatches,
      seconds: Math.round(results.seconds),
      checksPassed: ok,
    }),
  );
  return ok;
}
