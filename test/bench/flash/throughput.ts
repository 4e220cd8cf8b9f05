import { median } from "../catalog/report";
import type { Seller } from "./answers";
import { type CpuSeconds, cpuMsPer, limitOf, startCpuMeter } from "./cpu";
import { type DriveFigures, driveFor } from "./drive";
import { metricTotal } from "./services";

/*
 * Throughput of one hot goods, group commit on vs off: interleaved rounds
 * (on off, off on, …) of fixed duration, so both sides share the machine's
 * drift; the speedup is the median of the per-round ratios, which cancels most
 * of that noise.
 */

export type Side = "on" | "off";

export interface ThroughputTarget {
  sell: Seller;
  /** Processes charged with its CPU besides PostgreSQL and the bench (none in-process). */
  pids: { inventory?: number };
  /** The inventory service's /graphql URL, to read its batch sizes from /metrics. */
  serviceUrl?: string;
}

export interface RoundFigures extends DriveFigures {
  side: Side;
  round: number;
  cpuMsPerSell: CpuSeconds;
  /** Share of the machine's CPU that was busy meanwhile (anyone's). */
  machineBusy: number;
  limit: string;
  /** Mean sells per committed batch (stock_sell_batch_size), when the service reports it. */
  meanBatch: number | null;
}

export interface SideSummary {
  sellsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  refusedPerSec: number;
  cpuMsPerSell: CpuSeconds;
  limit: string;
  meanBatch: number | null;
}

async function batchTotals(serviceUrl: string | undefined) {
  if (!serviceUrl) return null;
  const [sum, count] = await Promise.all([
    metricTotal(serviceUrl, "stock_sell_batch_size_sum"),
    metricTotal(serviceUrl, "stock_sell_batch_size_count"),
  ]);
  return sum === null || count === null ? null : { sum, count };
}

async function measureRound(
  side: Side,
  round: number,
  target: ThroughputTarget,
  drive: () => Promise<DriveFigures>,
): Promise<RoundFigures> {
  const batchesBefore = await batchTotals(target.serviceUrl);
  const meter = startCpuMeter(target.pids);
  const figures = await drive();
  const cpu = meter.stop();
  const batchesAfter = await batchTotals(target.serviceUrl);
  const batches = batchesBefore && batchesAfter ? batchesAfter.count - batchesBefore.count : 0;
  return {
    side,
    round,
    ...figures,
    cpuMsPerSell: cpuMsPer(cpu.seconds, figures.sold),
    machineBusy: cpu.machineBusy,
    limit: limitOf(cpu, figures.elapsedS),
    meanBatch: batchesBefore && batchesAfter && batches > 0 ? (batchesAfter.sum - batchesBefore.sum) / batches : null,
  };
}

function summarize(rounds: RoundFigures[]): SideSummary {
  const of = (pick: (round: RoundFigures) => number) => median(rounds.map(pick));
  const processes = [...new Set(rounds.flatMap((round) => Object.keys(round.cpuMsPerSell)))] as (keyof CpuSeconds)[];
  // The limit of the round whose throughput is the median one.
  const middle = [...rounds].sort((a, b) => a.sellsPerSec - b.sellsPerSec)[Math.floor(rounds.length / 2)];
  const batches = rounds.map((round) => round.meanBatch).filter((mean): mean is number => mean !== null);
  return {
    sellsPerSec: of((round) => round.sellsPerSec),
    p50Ms: of((round) => round.p50Ms),
    p99Ms: of((round) => round.p99Ms),
    refusedPerSec: of((round) => round.refusedPerSec),
    cpuMsPerSell: Object.fromEntries(
      processes.map((name) => [name, of((round) => round.cpuMsPerSell[name] ?? Number.NaN)]),
    ),
    limit: middle?.limit ?? "",
    meanBatch: batches.length > 0 ? median(batches) : null,
  };
}

/** Warm-up of each side, then `rounds` interleaved rounds of `seconds` each, one-unit sells of `goodsId`. */
export async function compareOnOff(
  label: string,
  targets: Record<Side, ThroughputTarget>,
  options: { goodsId: number; clients: number; seconds: number; rounds: number; warmupSeconds: number },
) {
  let sequence = 0;
  const next = (side: Side) => () => ({
    orderSn: `${label}-${side}-${sequence++}`,
    items: [{ goodsId: options.goodsId, num: 1 }],
  });
  // JIT, pools, query plans.
  for (const side of ["on", "off"] as const)
    await driveFor(options.warmupSeconds, options.clients, targets[side].sell, next(side));
  const rounds: RoundFigures[] = [];
  const ratios: number[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    const order: Side[] = round % 2 === 1 ? ["on", "off"] : ["off", "on"];
    const figures: Partial<Record<Side, RoundFigures>> = {};
    for (const side of order) {
      const target = targets[side];
      figures[side] = await measureRound(side, round, target, () =>
        driveFor(options.seconds, options.clients, target.sell, next(side)),
      );
      rounds.push(figures[side]);
    }
    ratios.push((figures.on?.sellsPerSec ?? Number.NaN) / (figures.off?.sellsPerSec ?? Number.NaN));
    console.log(
      `  ${label} round ${round}: on ${figures.on?.sellsPerSec.toFixed(0)} sells/s, off ${figures.off?.sellsPerSec.toFixed(0)} sells/s`,
    );
  }
  return {
    rounds,
    ratios,
    speedup: median(ratios),
    on: summarize(rounds.filter((round) => round.side === "on")),
    off: summarize(rounds.filter((round) => round.side === "off")),
  };
}

export type Comparison = Awaited<ReturnType<typeof compareOnOff>>;
