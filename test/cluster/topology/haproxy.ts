import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import type { ManagedProcess, ProcessRegistry } from "./processes";
import { waitFor } from "./wait";

/**
 * HAProxy in master-worker mode (`-W -db`): TCP routes to each Patroni
 * cluster's primary and replicas (chosen by Patroni's REST /primary and
 * /replica, checked every second, down after 2 failures, up after 1),
 * and optional HTTP routes to application services. `reload()` writes a new
 * configuration, checks it (`haproxy -c`), and sends SIGUSR2 to the master:
 * the new worker takes over the listening sockets (`expose-fd listeners`), the
 * old one finishes its established connections (up to `hard-stop-after`), so
 * nothing in flight is dropped.
 */

const HAPROXY = "/usr/sbin/haproxy";
const run = promisify(execFile);

/** One Patroni cluster behind HAProxy: its members' PostgreSQL and REST ports. */
export interface PostgresRoute {
  /** e.g. "goods" → listens `goods_primary` and `goods_replica`. */
  name: string;
  primaryPort: number;
  replicaPort: number;
  members: { name: string; pgPort: number; restPort: number }[];
}

/** An application service (HTTP) behind HAProxy. */
export interface ServiceBackend {
  name: "gateway" | "goods" | "inventory" | (string & {});
  listenPort: number;
  servers: { name: string; port: number }[];
  /** Readiness path checked every second (default /health/ready). */
  healthPath?: string;
}

export interface HaproxyConfigInput {
  /** Stats/runtime socket (`show stat`, `show servers state`, `set server …`). */
  statsSocket: string;
  postgres: PostgresRoute[];
  services: ServiceBackend[];
}

function postgresListen(name: string, port: number, check: "/primary" | "/replica", route: PostgresRoute): string[] {
  return [
    `listen ${name}`,
    `  bind 127.0.0.1:${port}`,
    "  mode tcp",
    "  option tcplog",
    // OPTIONS rather than GET: same status codes, but Patroni answers it with the status line only, which
    // HAProxy reads before it closes the check with a RST. A GET's body would hit that RST mid-write and
    // Patroni logs a ConnectionResetError traceback per check (twice a second per member).
    `  option httpchk OPTIONS ${check}`,
    "  http-check expect status 200",
    // A member that stops being primary (or dies) loses its sessions at once: clients reconnect to the new one.
    "  default-server inter 1s fall 2 rise 1 on-marked-down shutdown-sessions",
    ...(check === "/replica" ? ["  balance roundrobin"] : []),
    ...route.members.map(
      (member) => `  server ${member.name} 127.0.0.1:${member.pgPort} check port ${member.restPort}`,
    ),
    "",
  ];
}

function serviceListen(service: ServiceBackend): string[] {
  return [
    `listen svc_${service.name}`,
    `  bind 127.0.0.1:${service.listenPort}`,
    "  mode http",
    "  option httplog",
    "  balance roundrobin",
    `  option httpchk GET ${service.healthPath ?? "/health/ready"}`,
    "  http-check expect status 200",
    // Retry (on another server: redispatch) only when the connection could not be made: then the
    // request surely never reached a service, so even a GraphQL mutation POST is safe to resend.
    // Not empty-response/response-timeout: the server may have executed the mutation.
    "  retries 2",
    "  retry-on conn-failure",
    "  option redispatch 1",
    // Long-lived subscriptions (SSE, WebSocket) are tunnels once upgraded/streaming.
    "  timeout tunnel 1h",
    "  default-server inter 1s fall 2 rise 1",
    ...service.servers.map((server) => `  server ${server.name} 127.0.0.1:${server.port} check`),
    "",
  ];
}

/** The whole haproxy.cfg: globals, the PostgreSQL routes and the service backends. */
export function buildHaproxyConfig(input: HaproxyConfigInput): string {
  return [
    "global",
    `  stats socket ${input.statsSocket} mode 600 level admin expose-fd listeners`,
    "  stats timeout 10s",
    // An old worker left after a reload keeps its established sessions this long at most.
    "  hard-stop-after 30s",
    "  log stderr format short local0 notice",
    "",
    "defaults",
    "  log global",
    "  timeout connect 2s",
    "  timeout client 30m",
    "  timeout server 30m",
    "  timeout check 1s",
    "  timeout http-request 10s",
    "",
    ...input.postgres.flatMap((route) => [
      ...postgresListen(`${route.name}_primary`, route.primaryPort, "/primary", route),
      ...postgresListen(`${route.name}_replica`, route.replicaPort, "/replica", route),
    ]),
    ...input.services.flatMap(serviceListen),
  ].join("\n");
}

/** One server's state as `show stat` reports it. */
export interface ServerState {
  proxy: string;
  server: string;
  /** "UP", "DOWN", "MAINT", "UP 1/2" (going down), "DOWN 1/1" (going up), "no check", … */
  status: string;
  /** Current sessions. */
  sessions: number;
}

/** Sends one command to an HAProxy runtime socket and returns its whole answer. */
export function runtimeCommand(socket: string, command: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const connection = createConnection(socket);
    let answer = "";
    const timer = setTimeout(() => {
      connection.destroy();
      reject(new Error(`${command}: no answer from ${socket} within ${timeoutMs} ms`));
    }, timeoutMs);
    connection.setEncoding("utf8");
    connection.on("connect", () => connection.write(`${command}\n`));
    connection.on("data", (chunk) => {
      answer += chunk;
    });
    connection.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    connection.on("end", () => {
      clearTimeout(timer);
      resolve(answer);
    });
  });
}

export class Haproxy {
  readonly configFile: string;
  readonly statsSocket: string;
  private input: HaproxyConfigInput;
  private process: ManagedProcess | undefined;

  constructor(
    private readonly registry: ProcessRegistry,
    private readonly dir: string,
    input: Omit<HaproxyConfigInput, "statsSocket">,
  ) {
    this.configFile = join(dir, "haproxy.cfg");
    this.statsSocket = join(dir, "haproxy.sock");
    this.input = { ...input, statsSocket: this.statsSocket };
  }

  /** The configuration HAProxy runs (or will run after start/reload). */
  config(): HaproxyConfigInput {
    return this.input;
  }

  private details = () => this.registry.tails(15);

  async start(timeoutMs: number): Promise<void> {
    await this.writeChecked(this.input);
    this.process = this.registry.spawn("haproxy", HAPROXY, ["-W", "-db", "-f", this.configFile], {
      logFile: join(this.dir, "haproxy.log"),
    });
    await waitFor("haproxy's first worker", () => this.workerPid(), { timeoutMs, details: this.details });
  }

  private async writeChecked(input: HaproxyConfigInput) {
    const text = buildHaproxyConfig(input);
    const candidate = `${this.configFile}.new`;
    writeFileSync(candidate, text);
    try {
      await run(HAPROXY, ["-c", "-q", "-f", candidate]);
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      throw new Error(`haproxy rejects the configuration:\n${stderr ?? ""}${stdout ?? ""}\n${text}`);
    }
    writeFileSync(this.configFile, text);
  }

  /** The current worker's pid, from the runtime socket's `show info`. */
  async workerPid(): Promise<number | undefined> {
    const info = await runtimeCommand(this.statsSocket, "show info");
    const pid = /^Pid: (\d+)$/m.exec(info)?.[1];
    return pid ? Number(pid) : undefined;
  }

  /**
   * Applies a new configuration without dropping connections: validates it,
   * SIGUSR2s the master, and waits until a new worker answers on the socket.
   */
  async reload(change: Partial<Omit<HaproxyConfigInput, "statsSocket">>, timeoutMs = 10_000): Promise<void> {
    const master = this.process;
    if (!master?.alive()) throw new Error("haproxy is not running");
    const next = { ...this.input, ...change, statsSocket: this.statsSocket };
    await this.writeChecked(next);
    const before = await this.workerPid();
    process.kill(master.pid, "SIGUSR2");
    await waitFor(
      "haproxy's new worker after reload",
      async () => {
        const pid = await this.workerPid();
        return pid !== undefined && pid !== before;
      },
      { timeoutMs, intervalMs: 100, details: this.details },
    );
    this.input = next;
  }

  /** Adds (or replaces, by name) an application service's HTTP route and reloads. */
  async addServiceBackend(service: ServiceBackend): Promise<void> {
    const services = [...this.input.services.filter((existing) => existing.name !== service.name), service];
    await this.reload({ services });
  }

  /** Every server's state (`show stat`). */
  async serverStates(): Promise<ServerState[]> {
    const csv = await runtimeCommand(this.statsSocket, "show stat");
    const [header, ...rows] = csv.replace(/^# /, "").trim().split("\n");
    const columns = (header ?? "").split(",");
    const at = (name: string) => columns.indexOf(name);
    return rows
      .map((row) => row.split(","))
      .filter((fields) => fields[at("svname")] !== "FRONTEND" && fields[at("svname")] !== "BACKEND")
      .map((fields) => ({
        proxy: fields[at("pxname")] ?? "",
        server: fields[at("svname")] ?? "",
        status: fields[at("status")] ?? "",
        sessions: Number(fields[at("scur")] ?? 0),
      }));
  }

  /** Waits until `proxy` has exactly the servers `up` marked UP (e.g. the new primary after failover). */
  async waitForUp(proxy: string, up: string[], timeoutMs: number): Promise<void> {
    const want = [...up].sort().join(",");
    await waitFor(
      `haproxy ${proxy} to route to [${want}]`,
      async () => {
        const states = (await this.serverStates()).filter((state) => state.proxy === proxy);
        const current = states
          .filter((state) => state.status === "UP")
          .map((state) => state.server)
          .sort()
          .join(",");
        return current === want;
      },
      { timeoutMs, intervalMs: 100, details: this.details },
    );
  }
}
