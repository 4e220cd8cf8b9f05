import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { repoRoot } from "@emshop/db/paths";
import type pg from "pg";

/** What the figures were measured on: without it, one results file cannot be compared with another. */
export async function machineInfo(client: pg.Client) {
  const setting = async (name: string) =>
    (await client.query<{ value: string }>(`SELECT current_setting($1) AS value`, [name])).rows[0]?.value ?? "?";
  const git = (args: string[]) => {
    try {
      return execFileSync("git", args, { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    } catch {
      return "unknown";
    }
  };
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    postgres: await setting("server_version"),
    // The settings that decide these plans and timings.
    postgresSettings: {
      shared_buffers: await setting("shared_buffers"),
      work_mem: await setting("work_mem"),
      max_parallel_workers_per_gather: await setting("max_parallel_workers_per_gather"),
      random_page_cost: await setting("random_page_cost"),
      lc_ctype: await setting("lc_ctype"),
    },
    loadAverageAtStart: loadavg().map((load) => Math.round(load * 100) / 100),
    git: { commit: git(["rev-parse", "HEAD"]), dirty: git(["status", "--porcelain", "--untracked-files=no"]) !== "" },
  };
}

/** Local date as YYYY-MM-DD. */
export function today() {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** Writes `<dir>/<date>-catalog-scale[-smoke].json`; a smoke never overwrites a full run's file. */
export function writeResults(dir: string, smoke: boolean, json: unknown): string {
  const folder = resolve(repoRoot, dir);
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `${today()}-catalog-scale${smoke ? "-smoke" : ""}.json`);
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  return file;
}
