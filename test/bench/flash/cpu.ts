import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { cpuSeconds, postgresCpuSeconds } from "../../support/process-stack";

/** The processes whose CPU a run is charged: the services it goes through, PostgreSQL and the benchmark itself. */
export type CpuProcess = "inventory" | "gateway" | "postgres" | "bench";
export type CpuSeconds = Partial<Record<CpuProcess, number>>;

const benchCpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/** Busy and total CPU time of the whole machine so far, in clock ticks (the first line of /proc/stat). */
function machineTicks() {
  const [, ...fields] = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").trim().split(/\s+/);
  const ticks = fields.map(Number);
  const total = ticks.slice(0, 8).reduce((sum, value) => sum + value, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

/** What one run used: CPU seconds per process, and the share of the whole machine that was busy meanwhile. */
export interface CpuUse {
  seconds: CpuSeconds;
  /** 0…1 of all cores, whoever used them (the machine may be shared with other work). */
  machineBusy: number;
}

/**
 * Starts measuring; `stop()` returns the CPU seconds each process used since.
 * postgres: every PostgreSQL process on this machine (pooled backends stay
 * connected; the postmaster also counts backends that exited meanwhile).
 */
export function startCpuMeter(pids: { inventory?: number; gateway?: number }) {
  const read = (): CpuSeconds => ({
    ...Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, pid ? cpuSeconds(pid) : 0])),
    postgres: postgresCpuSeconds(),
    bench: benchCpuSeconds(),
  });
  const before = read();
  const machineBefore = machineTicks();
  return {
    stop(): CpuUse {
      const after = read();
      const machineAfter = machineTicks();
      const total = machineAfter.total - machineBefore.total;
      return {
        seconds: Object.fromEntries(
          Object.entries(after).map(([name, seconds]) => [name, seconds - (before[name as CpuProcess] ?? 0)]),
        ),
        machineBusy: total > 0 ? (machineAfter.busy - machineBefore.busy) / total : 0,
      };
    },
  };
}

/** CPU ms per unit of work (per sell, per answer) of each process. */
export const cpuMsPer = (cpu: CpuSeconds, units: number): CpuSeconds =>
  Object.fromEntries(Object.entries(cpu).map(([name, seconds]) => [name, units > 0 ? (seconds * 1000) / units : 0]));

/** Share of a core above which a single-threaded Node process counts as saturated (GC threads add a little). */
const ONE_CORE = 0.85;
/** Share of all cores above which the machine counts as saturated. */
const MACHINE = 0.85;

/**
 * What limited a run: the machine's CPU (naming who used most of it: one of
 * the measured processes, or other work on a shared machine), one Node
 * process's event loop (one core), or neither, which on one hot goods means
 * the sells wait for each other: the row lock (and the commit that releases it).
 */
export function limitOf(use: CpuUse, wallSeconds: number): string {
  const cores = availableParallelism();
  const shares = Object.entries(use.seconds).map(([name, seconds]) => ({ name, share: (seconds ?? 0) / wallSeconds }));
  const measured = shares.reduce((sum, entry) => sum + entry.share, 0);
  const busy = use.machineBusy * cores;
  shares.push({ name: "other work", share: Math.max(0, busy - measured) });
  const top = shares.reduce((best, entry) => (entry.share > best.share ? entry : best), { name: "none", share: 0 });
  if (use.machineBusy >= MACHINE)
    return `CPU (${busy.toFixed(2)} of ${cores} cores busy; most: ${top.name} ${top.share.toFixed(2)})`;
  const busyNode = shares.find(
    (entry) => ["inventory", "gateway", "bench"].includes(entry.name) && entry.share >= ONE_CORE,
  );
  if (busyNode) return `${busyNode.name} CPU (one core: ${busyNode.share.toFixed(2)})`;
  return `row lock (${busy.toFixed(2)} of ${cores} cores busy)`;
}
