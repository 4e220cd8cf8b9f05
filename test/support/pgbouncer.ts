import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { chown } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** PgBouncer as installed by Debian's package (CI has it; elsewhere `PGBOUNCER_PATH`). */
export const PGBOUNCER_PATH = process.env.PGBOUNCER_PATH ?? "/usr/sbin/pgbouncer";

/** Why a PgBouncer of our own cannot be started here, or undefined when it can. */
export function pgbouncerMissingReason(): string | undefined {
  if (!existsSync(PGBOUNCER_PATH))
    return `no PgBouncer at ${PGBOUNCER_PATH} (apt-get install pgbouncer, or PGBOUNCER_PATH)`;
  if (process.getuid?.() === 0 && !osUser("postgres"))
    return "PgBouncer refuses to run as root and there is no `postgres` user to run it as";
  return undefined;
}

/** uid and gid of an OS user (via `id`), or undefined. */
function osUser(name: string): { uid: number; gid: number } | undefined {
  const uid = spawnSync("id", ["-u", name], { encoding: "utf8" });
  const gid = spawnSync("id", ["-g", name], { encoding: "utf8" });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once something accepts TCP connections on the port (or rejects after `ms`). */
async function waitForPort(port: number, ms: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`pgbouncer exited with ${child.exitCode}: ${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`pgbouncer did not listen on ${port} within ${ms} ms: ${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface PgBouncerOptions {
  /** Where PostgreSQL listens (default 127.0.0.1:5432, the machine's server). */
  server?: { host: string; port: number; user: string };
  /** `transaction` (default), `session` or `statement`. */
  poolMode?: "transaction" | "session" | "statement";
  /** Server connections per database/user pair (default 5). */
  poolSize?: number;
  /** `ignore_startup_parameters` (default none: PgBouncer refuses unknown startup parameters, as 1.18 does). */
  ignoreStartupParameters?: string[];
  /** SQL PgBouncer runs on each new server connection (`connect_query` of the wildcard database). */
  connectQuery?: string;
}

export interface RunningPgBouncer {
  port: number;
  /** The same database reached through PgBouncer: `url` with host and port replaced. */
  urlOf(directUrl: string): string;
  /** What PgBouncer logged so far. */
  log(): string;
  stop(): Promise<void>;
}

/**
 * A PgBouncer of its own on a free loopback port in front of PostgreSQL, in
 * transaction pooling mode unless told otherwise. Every database name is
 * passed through (a wildcard entry), every client user is accepted
 * (`auth_type = any`) and connects to the server as `server.user`. PgBouncer
 * refuses to run as root: as root, it runs as the `postgres` OS user.
 */
export async function startPgBouncer(options: PgBouncerOptions = {}): Promise<RunningPgBouncer> {
  const server = options.server ?? { host: "127.0.0.1", port: 5432, user: "postgres" };
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "emshop-pgbouncer-"));
  const logFile = join(dir, "pgbouncer.log");
  const connectQuery = options.connectQuery ? ` connect_query='${options.connectQuery.replaceAll("'", "''")}'` : "";
  const ini = [
    "[databases]",
    `* = host=${server.host} port=${server.port} user=${server.user}${connectQuery}`,
    "",
    "[pgbouncer]",
    "listen_addr = 127.0.0.1",
    `listen_port = ${port}`,
    "unix_socket_dir =",
    "auth_type = any",
    `pool_mode = ${options.poolMode ?? "transaction"}`,
    `default_pool_size = ${options.poolSize ?? 5}`,
    "max_client_conn = 200",
    `ignore_startup_parameters = ${(options.ignoreStartupParameters ?? []).join(",")}`,
    `logfile = ${logFile}`,
    `pidfile = ${join(dir, "pgbouncer.pid")}`,
    "server_login_retry = 1",
    "",
  ].join("\n");
  const config = join(dir, "pgbouncer.ini");
  writeFileSync(config, ini);
  writeFileSync(logFile, "");
  const runAs = process.getuid?.() === 0 ? osUser("postgres") : undefined;
  if (runAs) for (const path of [dir, config, logFile]) await chown(path, runAs.uid, runAs.gid);
  const child = spawn(PGBOUNCER_PATH, [config], {
    stdio: ["ignore", "ignore", "pipe"],
    ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const log = () => `${stderr}${existsSync(logFile) ? readFileSync(logFile, "utf8") : ""}`;
  try {
    await waitForPort(port, 10_000, child, log);
  } catch (error) {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    port,
    urlOf(directUrl) {
      const url = new URL(directUrl);
      url.hostname = "127.0.0.1";
      url.port = String(port);
      return url.toString();
    },
    log,
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGINT"); // immediate shutdown: closes every client and server connection
        const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
