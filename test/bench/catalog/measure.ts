import { cpuSeconds } from "../../support/process-stack";
import { statementsTotal } from "./http";
import type { Target, TargetKey } from "./targets";
import { runWrk, type WrkResult } from "./wrk";

/** The processes behind every target: the subgraphs are shared, the gateway is the target's. */
export interface Subgraphs {
  goods: { pid: number; url: string };
  inventory: { pid: number; url: string };
}

export type ProcessName = "gateway" | "goods" | "inventory";
export const PROCESS_NAMES: readonly ProcessName[] = ["gateway", "goods", "inventory"];

export interface RunFigures {
  target: TargetKey;
  round: number;
  /**
   * Successful answers per second (200, no "errors"): a gateway that fails fast
   * (a timed-out subgraph, an open circuit) answers quickly and must not look
   * fast for it. `answersPerSec` counts every answer.
   */
  reqPerSec: number;
  answersPerSec: number;
  /** Failed answers and socket errors, as a share of all attempts. */
  errorShare: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  requests: number;
  durationS: number;
  /** Non-200 answers + answers with "errors" + socket errors and timeouts. */
  errors: number;
  emptyPages: number;
  /** Successful answers. */
  ok: number;
  /** CPU ms per successful answer of each process (gateway absent for goods directly); failures' CPU is charged to the successes. */
  cpuMsPerRequest: Partial<Record<ProcessName, number>>;
  /** SQL statements per successful answer, from each subgraph's db_statements_total. */
  sqlPerRequest: { goods: number; inventory: number };
  wrk: WrkResult;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Pids = Partial<Record<ProcessName, number>>;
const pidsOf = (target: Target, subgraphs: Subgraphs): Pids => ({
  ...(target.gatewayPid === undefined ? {} : { gateway: target.gatewayPid }),
  goods: subgraphs.goods.pid,
  inventory: subgraphs.inventory.pid,
});

function readCpu(pids: Pids): Partial<Record<ProcessName, number>> {
  return Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
}

const totalOf = (cpu: Partial<Record<ProcessName, number>>) => Object.values(cpu).reduce((sum, s) => sum + (s ?? 0), 0);

/**
 * wrk stops with up to one request per connection still in flight; the
 * servers finish those after wrk is gone. Their CPU and SQL belong to the run
 * (requests wrk never counted, < 1% of a round), so the "after" readings wait
 * until the processes are idle again: under 3 ms CPU in 100 ms, at most 3 s.
 */
async function settle(pids: Pids) {
  let last = totalOf(readCpu(pids));
  for (let waited = 0; waited < 3000; waited += 100) {
    await sleep(100);
    const now = totalOf(readCpu(pids));
    if (now - last < 0.003) return;
    last = now;
  }
}

const scrape = async (subgraphs: Subgraphs) => ({
  goods: await statementsTotal(subgraphs.goods.url, "goods"),
  inventory: await statementsTotal(subgraphs.inventory.url, "inventory"),
});

/**
 * One measured wrk run. Order matters: /metrics is scraped before the CPU is
 * read and after it is read again, so the scrapes' own CPU is not counted.
 */
export async function measureRun(options: {
  target: Target;
  round: number;
  subgraphs: Subgraphs;
  bodiesFile: string;
  seconds: number;
  connections: number;
  threads: number;
}): Promise<RunFigures> {
  const pids = pidsOf(options.target, options.subgraphs);
  await settle(pids);
  const sqlBefore = await scrape(options.subgraphs);
  const cpuBefore = readCpu(pids);
  const wrk = await runWrk({
    url: options.target.url,
    bodiesFile: options.bodiesFile,
    seconds: options.seconds,
    connections: options.connections,
    threads: options.threads,
  });
  await settle(pids);
  const cpuAfter = readCpu(pids);
  const sqlAfter = await scrape(options.subgraphs);
  const requests = wrk.requests;
  const socket = wrk.socketErrors;
  const socketErrors = socket.connect + socket.read + socket.write + socket.timeout;
  const errors = wrk.non200 + wrk.graphqlErrors + socketErrors;
  const ok = Math.max(0, requests - wrk.non200 - wrk.graphqlErrors);
  const seconds = wrk.durationUs / 1e6;
  const perRequest = (value: number) => (ok > 0 ? value / ok : Number.NaN);
  return {
    target: options.target.key,
    round: options.round,
    reqPerSec: ok / seconds,
    answersPerSec: requests / seconds,
    errorShare: errors / Math.max(1, requests + socketErrors),
    p50Ms: wrk.latencyUs.p50 / 1000,
    p90Ms: wrk.latencyUs.p90 / 1000,
    p99Ms: wrk.latencyUs.p99 / 1000,
    maxMs: wrk.latencyUs.max / 1000,
    requests,
    ok,
    durationS: seconds,
    errors,
    emptyPages: wrk.emptyPages,
    cpuMsPerRequest: Object.fromEntries(
      Object.keys(pids).map((name) => {
        const key = name as ProcessName;
        return [key, perRequest(((cpuAfter[key] ?? 0) - (cpuBefore[key] ?? 0)) * 1000)];
      }),
    ),
    sqlPerRequest: {
      goods: perRequest(sqlAfter.goods - sqlBefore.goods),
      inventory: perRequest(sqlAfter.inventory - sqlBefore.inventory),
    },
    wrk,
  };
}
