import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "@emshop/db/paths";
import { postGraphql } from "./http";
import { freePort } from "./services";

/**
 * What the benchmark loads, all in front of the same goods and inventory
 * processes: A the project's gateway, B Hive Gateway (JS query planner),
 * C Hive Gateway with the Rust planner, D the goods subgraph itself.
 */
export type TargetKey = "A" | "B" | "C" | "D";
export const TARGET_KEYS: readonly TargetKey[] = ["A", "B", "C", "D"];

export interface Target {
  key: TargetKey;
  name: string;
  url: string;
  /** The gateway process whose CPU is measured; none for goods called directly. */
  gatewayPid?: number;
  /** Gateways answer with stocks; goods directly gets the same queries without them. */
  withStocks: boolean;
}

export const TARGET_NAMES: Record<TargetKey, string> = {
  A: "project gateway",
  B: "Hive Gateway (JS planner)",
  C: "Hive Gateway + Rust planner",
  D: "goods directly",
};

/**
 * The committed supergraph with each `@join__graph(name: …, url: …)` pointed at
 * the running subgraph; every graph must get a URL and every URL a graph, so a
 * renamed subgraph fails here instead of Hive calling localhost:4001.
 */
export function rewriteSupergraph(sdl: string, urls: Record<string, string>): string {
  const seen = new Set<string>();
  const rewritten = sdl.replace(/@join__graph\(name: "([^"]+)", url: "[^"]*"\)/g, (_match, name: string) => {
    const url = urls[name];
    if (!url) throw new Error(`the supergraph has a graph "${name}" the benchmark has no URL for`);
    seen.add(name);
    return `@join__graph(name: "${name}", url: "${url}")`;
  });
  for (const name of Object.keys(urls))
    if (!seen.has(name)) throw new Error(`the supergraph has no @join__graph for "${name}"`);
  return rewritten;
}

export function writeRewrittenSupergraph(dir: string, urls: Record<string, string>): string {
  const path = join(dir, "supergraph.graphql");
  writeFileSync(path, rewriteSupergraph(readFileSync(join(repoRoot, "gateway/supergraph.graphql"), "utf8"), urls));
  return path;
}

const packageVersion = (name: string) =>
  (JSON.parse(readFileSync(join(repoRoot, "node_modules", name, "package.json"), "utf8")) as { version: string })
    .version;

export const hiveVersions = () => ({
  gateway: packageVersion("@graphql-hive/gateway"),
  routerRuntime: packageVersion("@graphql-hive/router-runtime"),
});

/**
 * Hive's environment: ours minus anything that would turn on usage reporting,
 * tracing, a schema registry or debug output (HIVE_*, APOLLO_*, OpenTelemetry,
 * DEBUG), so it makes no calls anywhere but to the two subgraphs. Without a
 * Hive token or an OpenTelemetry endpoint it reports nothing.
 */
function hiveEnv(logLevel: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env))
    if (!/^(HIVE_|APOLLO_|OPENTELEMETRY|OTEL_|DEBUG$|FORK$|JIT$|PORT$|HOST$|CONFIG_PATH$)/.test(name))
      env[name] = value;
  return { ...env, NODE_ENV: "production", LOG_LEVEL: logLevel };
}

export interface HiveProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/** Starts `hive-gateway supergraph <file>` (one process, no workers) and waits until it answers GraphQL. */
export async function startHive(options: {
  supergraphPath: string;
  rustPlanner: boolean;
  cwd: string;
  logLevel: string;
}): Promise<HiveProcess> {
  const port = await freePort();
  const bin = realpathSync(join(repoRoot, "node_modules/.bin/hive-gateway"));
  const args = [bin, "supergraph", options.supergraphPath, "--host", "127.0.0.1", "--port", String(port)];
  args.push("--fork", "1", ...(options.rustPlanner ? ["--hive-router-runtime"] : []));
  // cwd: an empty temp dir, so no gateway.config.* of anyone's is picked up.
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: hiveEnv(options.logLevel),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };
  const url = `http://127.0.0.1:${port}/graphql`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`hive-gateway exited before serving:\n${output}`);
    try {
      const answer = await postGraphql<{ __typename: string }>(url, { query: "{ __typename }" }, 2000);
      if (answer.data?.__typename === "Query") break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`hive-gateway did not answer within 90 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { child, url, output: () => output, stop };
}
