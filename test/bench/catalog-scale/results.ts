import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { repoRoot } from "@emshop/db/paths";
import type pg from "pg";
import { gitState, hostInfo, loadAverage, today } from "../catalog/results";

/** What the figures were measured on: without it, one results file cannot be compared with another. */
export async function machineInfo(client: pg.Client) {
  const setting = async (name: string) =>
    (await client.query<{ value: string }>(`SELECT current_setting($1) AS value`, [name])).rows[0]?.value ?? "?";
  return {
    ...hostInfo(),
    postgres: await setting("server_version"),
    // The settings that decide these plans and timings.
    postgresSettings: {
      shared_buffers: await setting("shared_buffers"),
      work_mem: await setting("work_mem"),
      max_parallel_workers_per_gather: await setting("max_parallel_workers_per_gather"),
      random_page_cost: await setting("random_page_cost"),
      lc_ctype: await setting("lc_ctype"),
    },
    loadAverageAtStart: loadAverage(),
    git: gitState(),
  };
}

/** Writes `<dir>/<date>-catalog-scale[-smoke].json`; a smoke never overwrites a full run's file. */
export function writeResults(dir: string, smoke: boolean, json: unknown): string {
  const folder = resolve(repoRoot, dir);
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `${today()}-catalog-scale${smoke ? "-smoke" : ""}.json`);
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  return file;
}
