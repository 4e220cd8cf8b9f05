import type { ProcessName, RunFigures } from "./measure";
import { TARGET_NAMES, type TargetKey } from "./targets";

/**
 * Medians per target, ratios and the issue's targets. Ratios are medians of
 * per-round ratios, not ratios of medians: within one round the targets ran
 * back to back under the same machine noise, so a round's ratio cancels most
 * of it, while the absolute figures drift with whatever else the machine does.
 */

export const median = (values: number[]) => {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

export interface TargetSummary {
  target: TargetKey;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  errorShare: number;
  emptyPages: number;
  requests: number;
  cpuMsPerRequest: Partial<Record<ProcessName, number>>;
  sqlPerRequest: { goods: number; inventory: number };
}

export function summarize(runs: RunFigures[], targets: TargetKey[]): TargetSummary[] {
  return targets.map((target) => {
    const own = runs.filter((run) => run.target === target);
    const of = (read: (run: RunFigures) => number) => median(own.map(read));
    const cpu: Partial<Record<ProcessName, number>> = {};
    for (const name of ["gateway", "goods", "inventory"] as const)
      if (own.some((run) => run.cpuMsPerRequest[name] !== undefined))
        cpu[name] = of((run) => run.cpuMsPerRequest[name] ?? Number.NaN);
    return {
      target,
      reqPerSec: of((run) => run.reqPerSec),
      p50Ms: of((run) => run.p50Ms),
      p99Ms: of((run) => run.p99Ms),
      errors: of((run) => run.errors),
      errorShare: of((run) => run.errorShare),
      emptyPages: of((run) => run.emptyPages),
      requests: of((run) => run.requests),
      cpuMsPerRequest: cpu,
      sqlPerRequest: {
        goods: of((run) => run.sqlPerRequest.goods),
        inventory: of((run) => run.sqlPerRequest.inventory),
      },
    };
  });
}

export interface Ratio {
  /** e.g. "A/C" */
  pair: string;
  of: TargetKey;
  to: TargetKey;
  reqPerSec: number;
  p99: number;
  /** Gateway CPU per request; NaN when `to` has no gateway. */
  gatewayCpu: number;
  /** The larger error share of the two targets in their worst round: above ERROR_TOLERANCE the ratio means little. */
  worstErrorShare: number;
  perRound: { round: number; reqPerSec: number; p99: number; gatewayCpu: number }[];
}

/** Up to 1 failed answer in 1,000 still compares; beyond that a target is shedding load, not serving it. */
export const ERROR_TOLERANCE = 0.001;

/** Median over rounds of A's figure divided by `to`'s in the same round. */
export function ratio(runs: RunFigures[], of: TargetKey, to: TargetKey): Ratio | undefined {
  const rounds = [...new Set(runs.map((run) => run.round))];
  const perRound = rounds.flatMap((round) => {
    const a = runs.find((run) => run.round === round && run.target === of);
    const b = runs.find((run) => run.round === round && run.target === to);
    if (!a || !b) return [];
    const gatewayA = a.cpuMsPerRequest.gateway;
    const gatewayB = b.cpuMsPerRequest.gateway;
    return [
      {
        round,
        reqPerSec: a.reqPerSec / b.reqPerSec,
        p99: a.p99Ms / b.p99Ms,
        gatewayCpu: gatewayA !== undefined && gatewayB !== undefined ? gatewayA / gatewayB : Number.NaN,
      },
    ];
  });
  if (perRound.length === 0) return undefined;
  return {
    pair: `${of}/${to}`,
    of,
    to,
    reqPerSec: median(perRound.map((r) => r.reqPerSec)),
    p99: median(perRound.map((r) => r.p99)),
    gatewayCpu: median(perRound.map((r) => r.gatewayCpu)),
    worstErrorShare: Math.max(
      ...runs.filter((run) => run.target === of || run.target === to).map((run) => run.errorShare),
    ),
    perRound,
  };
}

export interface TargetCheck {
  goal: string;
  value: string;
  met: boolean | undefined;
}

/**
 * The issue's targets (issue 11), as they are: ≥ 1.2× Hive+Rust req/s with p99
 * no worse; ≥ 0.75× direct; gateway CPU/request ≤ 0.7× Hive+Rust's. None is
 * met while either side of the ratio fails more than ERROR_TOLERANCE of its
 * answers in some round: fast failures are not throughput.
 */
export function checkTargets(ratios: Ratio[]): TargetCheck[] {
  const find = (pair: string) => ratios.find((r) => r.pair === pair);
  const vsRust = find("A/C");
  const vsDirect = find("A/D");
  const check = (goal: string, ratio: Ratio | undefined, read: (r: Ratio) => number, ok: (v: number) => boolean) => {
    const value = ratio ? read(ratio) : Number.NaN;
    if (!ratio || Number.isNaN(value)) return { goal, value: "n/a", met: undefined };
    const failing = ratio.worstErrorShare > ERROR_TOLERANCE;
    return {
      goal,
      value: `${value.toFixed(2)}×${failing ? ` (but up to ${(ratio.worstErrorShare * 100).toFixed(1)}% errors in a round)` : ""}`,
      met: ok(value) && !failing,
    };
  };
  return [
    check(
      "req/s ≥ 1.2× Hive Gateway + Rust planner (A/C)",
      vsRust,
      (r) => r.reqPerSec,
      (v) => v >= 1.2,
    ),
    check(
      "p99 no worse than Hive + Rust (A/C ≤ 1)",
      vsRust,
      (r) => r.p99,
      (v) => v <= 1,
    ),
    check(
      "req/s ≥ 0.75× goods directly (A/D)",
      vsDirect,
      (r) => r.reqPerSec,
      (v) => v >= 0.75,
    ),
    check(
      "gateway CPU/request ≤ 0.7× Hive + Rust's (A/C)",
      vsRust,
      (r) => r.gatewayCpu,
      (v) => v <= 0.7,
    ),
  ];
}

const cell = (value: number | undefined, digits: number, width: number) =>
  (value === undefined || Number.isNaN(value) ? "—" : value.toFixed(digits)).padStart(width);

/** The table people read: one line per target, medians over rounds. */
export function formatTable(summaries: TargetSummary[], rounds: number): string {
  const header = [
    "target".padEnd(30),
    "req/s".padStart(8),
    "p50 ms".padStart(8),
    "p99 ms".padStart(8),
    "errors".padStart(7),
    "err %".padStart(6),
    "gw CPU".padStart(7),
    "goods CPU".padStart(10),
    "inv CPU".padStart(8),
    "total CPU".padStart(10),
    "goods SQL".padStart(10),
    "inv SQL".padStart(8),
  ].join(" │ ");
  const lines = summaries.map((s) => {
    const cpu = s.cpuMsPerRequest;
    const total = (cpu.gateway ?? 0) + (cpu.goods ?? 0) + (cpu.inventory ?? 0);
    return [
      `${s.target} ${TARGET_NAMES[s.target]}`.padEnd(30),
      cell(s.reqPerSec, 0, 8),
      cell(s.p50Ms, 1, 8),
      cell(s.p99Ms, 1, 8),
      cell(s.errors, 0, 7),
      cell(s.errorShare * 100, 1, 6),
      cell(cpu.gateway, 2, 7),
      cell(cpu.goods, 2, 10),
      cell(cpu.inventory, 2, 8),
      cell(total, 2, 10),
      cell(s.sqlPerRequest.goods, 2, 10),
      cell(s.sqlPerRequest.inventory, 2, 8),
    ].join(" │ ");
  });
  return [
    `median of ${rounds} round${rounds === 1 ? "" : "s"}; req/s = successful answers per second; CPU in ms and SQL in statements per ` +
      "successful answer (utime+stime from /proc, db_statements_total); p50/p99 over all answers (wrk)",
    header,
    "─".repeat(header.length),
    ...lines,
  ].join("\n");
}

export function formatRatios(ratios: Ratio[]): string {
  const fixed = (value: number) => (Number.isNaN(value) ? "—" : `${value.toFixed(2)}×`);
  return [
    `${"ratios (median of per-round ratios)".padEnd(60)} req/s     p99  gateway CPU/req`,
    ...ratios.map(
      (r) =>
        `${`${r.pair}  ${TARGET_NAMES[r.of]} / ${TARGET_NAMES[r.to]}`.padEnd(60)}${fixed(r.reqPerSec).padStart(6)}  ${fixed(r.p99).padStart(6)}  ${fixed(r.gatewayCpu).padStart(8)}${
          r.worstErrorShare > ERROR_TOLERANCE
            ? `   ⚠ up to ${(r.worstErrorShare * 100).toFixed(1)}% errors in a round`
            : ""
        }`,
    ),
  ].join("\n");
}

export function formatChecks(checks: TargetCheck[]): string {
  return [
    "issue 11 targets (project gateway):",
    ...checks.map((c) => `  ${c.met === undefined ? "n/a    " : c.met ? "MET    " : "NOT MET"}  ${c.goal}: ${c.value}`),
  ].join("\n");
}

/** Per-round figures, for seeing how much the rounds disagree. */
export function formatRounds(runs: RunFigures[]): string {
  return [
    "per round:           req/s    p50 ms    p99 ms  errors   err %  gw CPU ms/req",
    ...runs.map(
      (run) =>
        `  round ${run.round} ${run.target}   ${cell(run.reqPerSec, 0, 8)}  ${cell(run.p50Ms, 1, 8)}  ${cell(run.p99Ms, 1, 8)}  ${cell(run.errors, 0, 6)}  ${cell(run.errorShare * 100, 1, 6)}  ${cell(run.cpuMsPerRequest.gateway, 2, 8)}`,
    ),
  ].join("\n");
}
