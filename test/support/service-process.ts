import { type ChildProcess, spawn } from "node:child_process";
import { repoRoot } from "@emshop/db/paths";
import { SPAWNED_SERVICE_SECRET } from "./tokens";

export interface ServiceProcess {
  child: ChildProcess;
  /** The /graphql URL the process logged. */
  url: string;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves with the exit code once the process is gone. */
  exited: Promise<number | null>;
}

/**
 * Starts one service as its own process, as production runs it: `entry` is a
 * path from the repository root (`subgraphs/inventory/src/index.ts` through
 * tsx, or a built `…/dist/index.js` with plain node). Resolves when the service
 * logs that it is serving (port 0 → it logs the port it got).
 */
export async function spawnService(
  entry: string,
  env: Record<string, string>,
  options: { timeoutMs?: number } = {},
): Promise<ServiceProcess> {
  const args = entry.endsWith(".ts") ? ["--import", "tsx", entry] : ["--enable-source-maps", entry];
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, NODE_ENV: "production", AUTH_JWT_SECRET: SPAWNED_SERVICE_SECRET, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  // "close", not "exit": only then has all of its output been read (tests look at its last lines).
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${entry} did not start within ${options.timeoutMs ?? 60_000} ms:\n${output}`));
    }, options.timeoutMs ?? 60_000);
    const check = () => {
      const match = /serving (http:\/\/\S+\/graphql)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on("data", check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited with ${code} before serving:\n${output}`));
    });
  });
  return { child, url, output: () => output, exited };
}
