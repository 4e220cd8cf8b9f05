import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { repoRoot } from "@emshop/db/paths";
import pg from "pg";

/** What the figures were measured on: without it, a JSON file of numbers cannot be compared with another. */
export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  node: string;
  postgres: string;
  wrk: string;
  loadAverageAtStart: number[];
  git: { commit: string; dirty: boolean };
}

const quietly = (command: string, args: string[]) => {
  try {
    return execFileSync(command, args, { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  } catch (error) {
    // wrk --version exits 1 after printing its version
    return String((error as { stdout?: string }).stdout ?? "").trim() || "unknown";
  }
};

export async function machineInfo(adminUrl: string): Promise<MachineInfo> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  let postgres = "unknown";
  try {
    postgres =
      (await client.query<{ server_version: string }>("SHOW server_version")).rows[0]?.server_version ?? postgres;
  } finally {
    await client.end();
  }
  return {
    ...hostInfo(),
    postgres,
    wrk: quietly("wrk", ["--version"]).split("\n")[0] ?? "unknown",
    loadAverageAtStart: loadAverage(),
    git: gitState(),
  };
}

/** The machine and Node version, shared by every benchmark's results file. */
export const hostInfo = () => ({
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? "unknown",
  memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  kernel: release(),
  node: process.version,
});

/** The 1, 5 and 15 minute load averages, rounded: p99s mean little without them. */
export const loadAverage = () => loadavg().map((load) => Math.round(load * 100) / 100);

/** The commit measured, and whether tracked files differed from it. */
export const gitState = () => ({
  commit: quietly("git", ["rev-parse", "HEAD"]),
  dirty: quietly("git", ["status", "--porcelain", "--untracked-files=no"]) !== "",
});

/** Local date as YYYY-MM-DD: the file name says when the run was made. */
export const today = () => {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
};

/** Writes `<dir>/<date>-catalog[-smoke].{json,svg}`; a smoke run never overwrites a full run's files. */
export function writeResults(options: { dir: string; smoke: boolean; json: unknown; svg: string }) {
  const dir = resolve(repoRoot, options.dir);
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `${today()}-catalog${options.smoke ? "-smoke" : ""}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(options.json, null, 2)}\n`);
  writeFileSync(`${base}.svg`, options.svg);
  return { json: `${base}.json`, svg: `${base}.svg` };
}
