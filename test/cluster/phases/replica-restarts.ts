import type { SqlClient } from "@emshop/db/sql-client";
import { checkStorm, type StormVerdict, stockOf } from "../checks";
import { type ClusterServices, TIERS } from "../services";
import { failuresByCode, planStorm, startStorm } from "../storm";
import { sleep } from "../topology/wait";

/*
 * Phase 1 of `npm run test:cluster`: a stock storm through the gateways' load
 * balancer while one inventory replica and one gateway are SIGKILLed (and
 * started again), then a drained rolling restart of every replica, one at a
 * time. Calls cut off by a kill are retried by the clients with the same
 * orderSn; during the drained restart not a single call may fail.
 */

export interface ReplicaRestartsResult extends StormVerdict {
  ops: number;
  seconds: number;
  killed: string[];
  /** Calls that failed (any attempt without a definitive answer) between the kills and the restart. */
  failuresAfterKills: Record<string, number>;
  /** Calls that failed while replicas were being drained and restarted: must be none. */
  drainedRestartFailures: number;
  drainedRestartFailuresByCode: Record<string, number>;
  drainedRestartSeconds: number;
  unanswered: number;
}

export async function replicaRestarts(
  services: ClusterServices,
  sql: SqlClient,
  options: {
    goods: number[];
    headers: Record<string, string>;
    minOps: number;
    clients: number;
    log(line: string): void;
  },
): Promise<ReplicaRestartsResult> {
  const orderSnPrefix = "cluster-restarts-";
  const initialStock = await stockOf(sql, options.goods);
  let chaosDone = false;
  const storm = startStorm(planStorm({ goods: options.goods, ops: 100_000, orderSnPrefix, seed: 20261203 }), {
    url: services.urls.gateway,
    headers: options.headers,
    clients: options.clients,
    stopWhen: (taken) => chaosDone && taken >= options.minOps,
  });
  const byName = (name: string) => {
    const replica = services.replicas.find((candidate) => candidate.name === name);
    if (!replica) throw new Error(`no replica ${name}`);
    return replica;
  };
  const killed = ["inventory-2", "gateway-2"];
  let window = { from: 0, to: 0 };
  const chaos = (async () => {
    while (storm.taken() < options.minOps * 0.1) await sleep(100);
    options.log(`SIGKILL ${killed.join(" and ")} at ${storm.taken()} operations`);
    const killedAt = Date.now();
    for (const name of killed) await services.kill(byName(name));
    await sleep(1000);
    for (const name of killed) {
      const replica = byName(name);
      await services.start(replica);
      await services.waitRouted(replica);
    }
    // The gateways' circuit for inventory may have opened on the cut-off calls: let it close again.
    await sleep(6000);
    const failuresAfterKills = failuresByCode(storm.attempts, { from: killedAt, to: Date.now() });
    options.log(`restarted the killed replicas; drained rolling restart of all ${services.replicas.length} replicas…`);
    window = { from: Date.now(), to: 0 };
    for (const tier of TIERS)
      for (const replica of services.replicas.filter((candidate) => candidate.tier === tier)) {
        await services.drain(replica);
        await services.start(replica);
        await services.waitRouted(replica);
        options.log(`  ${replica.name} drained, restarted and routed again (${storm.taken()} operations so far)`);
      }
    window.to = Date.now();
    chaosDone = true;
    return failuresAfterKills;
  })().catch((error) => {
    chaosDone = true;
    throw error;
  });
  const [result, failuresAfterKills] = await Promise.all([storm.done, chaos]);
  const verdict = await checkStorm(sql, { orderSnPrefix, initialStock }, result.answers);
  const drained = failuresByCode(result.attempts, window);
  return {
    ...verdict,
    ops: storm.taken(),
    seconds: result.seconds,
    killed,
    failuresAfterKills,
    drainedRestartFailures: Object.values(drained).reduce((sum, count) => sum + count, 0),
    drainedRestartFailuresByCode: drained,
    drainedRestartSeconds: (window.to - window.from) / 1000,
    unanswered: result.unanswered.length,
  };
}
