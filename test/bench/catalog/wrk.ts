import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { onCleanup } from "./cleanup";

/** What wrk.lua's done() prints (latencies in µs). */
export interface WrkResult {
  requests: number;
  durationUs: number;
  bytes: number;
  graphqlErrors: number;
  non200: number;
  emptyPages: number;
  socketErrors: { connect: number; read: number; write: number; timeout: number };
  latencyUs: { mean: number; p50: number; p90: number; p99: number; p999: number; max: number };
  /** The first failed answer (status and start of the body), "" when none failed. */
  firstError: string;
}

const SCRIPT = fileURLToPath(new URL("./wrk.lua", import.meta.url));

/** Fails with how to get wrk when it is not installed (Debian/Ubuntu: `apt-get install wrk`). */
export function assertWrkInstalled() {
  const probe = spawnSync("wrk", ["--version"], { encoding: "utf8" });
  if (probe.error)
    throw new Error(
      "wrk is not installed (on Debian/Ubuntu: sudo apt-get install wrk); npm run bench drives the load with it",
    );
}

/**
 * One wrk run against `url` with the bodies of `bodiesFile`. The timeout is
 * far above any latency seen, so slow answers count in the percentiles instead
 * of silently becoming timeout errors (wrk's default is 2 s).
 */
export async function runWrk(options: {
  url: string;
  bodiesFile: string;
  seconds: number;
  connections: number;
  threads: number;
}): Promise<WrkResult> {
  const threads = Math.max(1, Math.min(options.threads, options.connections));
  const args = [`-t${threads}`, `-c${options.connections}`, `-d${options.seconds}s`, "--timeout", "30s"];
  args.push("-s", SCRIPT, options.url, "--", options.bodiesFile, String(threads));
  const child = spawn("wrk", args, { stdio: ["ignore", "pipe", "pipe"] });
  const kill = () => child.kill("SIGKILL");
  onCleanup("wrk", kill); // harmless once it exited; kills it if the run is interrupted
  let output = "";
  child.stdout.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr.on("data", (chunk) => {
    output += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  const line = /^WRK_RESULT (\{.*\})$/m.exec(output)?.[1];
  if (code !== 0 || !line) throw new Error(`wrk ${args.join(" ")} exited with ${code}:\n${output}`);
  return JSON.parse(line) as WrkResult;
}
