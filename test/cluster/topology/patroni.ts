import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Etcd } from "./etcd";
import { killGroup, type ProcessRegistry, processGroupOf, type RunAs, tailFile } from "./processes";
import { GiveUp, httpGet, waitFor } from "./wait";

/**
 * One Patroni cluster (one PostgreSQL 15 primary + synchronous standbys),
 * its members as child processes running as the postgres OS user.
 *
 * Durability choice: `synchronous_mode: true`, `synchronous_mode_strict: false`.
 * In synchronous mode Patroni only ever promotes the member named in the
 * cluster's /sync key, and a commit is acknowledged only once that standby
 * has flushed its WAL (synchronous_commit = on), so an automatic failover
 * never loses an acknowledged write. Strict mode would additionally refuse
 * writes while no standby is connected: with two members that means the
 * cluster is read-only from the moment the primary dies until the old member
 * has rejoined (our failover would end only after restartMember). Non-strict
 * mode instead lets the lone survivor accept writes unreplicated; while it is
 * alone no other member is eligible for promotion (Patroni will not promote a
 * non-synchronous standby), so losing it too makes the cluster unavailable,
 * not lossy — unless an operator forces a failover to a stale member.
 */

export type MemberRole = "leader" | "sync_standby" | "replica";

export interface MemberStatus {
  name: string;
  role: MemberRole;
  /** Patroni's state of its PostgreSQL: "running", "starting", "stopped", "crashed", … */
  state: string;
  /** Replication lag in bytes (0 for the leader; "unknown" when Patroni cannot tell). */
  lag: number | "unknown";
  timeline?: number;
}

export interface DcsTiming {
  /** Leader key TTL, s: how long a dead leader holds the lock (the bulk of failover time). */
  ttl: number;
  /** Seconds between HA loops. */
  loopWait: number;
  /** Seconds DCS and PostgreSQL operations are retried before Patroni gives up (demotes). */
  retryTimeout: number;
}

/** ttl 10 / loop_wait 1 / retry_timeout 4: Patroni needs loop_wait + 2 × retry_timeout ≤ ttl (1 + 8 ≤ 10). */
export const DEFAULT_TIMING: DcsTiming = { ttl: 10, loopWait: 1, retryTimeout: 4 };

export interface MemberSpec {
  name: string;
  pgPort: number;
  restPort: number;
  dir: string;
}

export interface PatroniClusterOptions {
  scope: string;
  database: string;
  /** The topology's directory; the cluster lives in `<dir>/<scope>`. */
  dir: string;
  etcd: Etcd;
  members: { name: string; pgPort: number; restPort: number }[];
  timing: DcsTiming;
  runAs?: RunAs | undefined;
  /** Extra SQL run once in the new database after bootstrap (e.g. ALTER DATABASE … SET …). */
  postBootstrapSql?: string[];
  maxConnections?: number;
}

export const PG_BIN = "/usr/lib/postgresql/15/bin";

function ownedDir(path: string, runAs: RunAs | undefined) {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  chmodSync(path, 0o700);
  if (runAs) chownSync(path, runAs.uid, runAs.gid);
}

const shellQuote = (text: string) => `'${text.replaceAll("'", `'"'"'`)}'`;

export class PatroniCluster {
  readonly scope: string;
  readonly database: string;
  readonly members: MemberSpec[];
  private readonly registry: ProcessRegistry;
  private readonly options: PatroniClusterOptions;
  private lastKill: { member: string; at: number } | undefined;

  constructor(registry: ProcessRegistry, options: PatroniClusterOptions) {
    const { ttl, loopWait, retryTimeout } = options.timing;
    if (loopWait + 2 * retryTimeout > ttl)
      throw new Error(
        `Patroni needs loop_wait + 2 * retry_timeout <= ttl (got ${loopWait} + 2 * ${retryTimeout} > ${ttl})`,
      );
    this.registry = registry;
    this.options = options;
    this.scope = options.scope;
    this.database = options.database;
    const clusterDir = join(options.dir, options.scope);
    this.members = options.members.map((member) => ({ ...member, dir: join(clusterDir, member.name) }));
  }

  private processName(member: string) {
    return `patroni-${member}`;
  }

  member(name: string): MemberSpec {
    const member = this.members.find((candidate) => candidate.name === name);
    if (!member) throw new Error(`${this.scope} has no member ${name}`);
    return member;
  }

  restUrl(name: string): string {
    return `http://127.0.0.1:${this.member(name).restPort}`;
  }

  private writeFiles() {
    const { runAs, timing, scope, database } = this.options;
    const clusterDir = join(this.options.dir, scope);
    ownedDir(clusterDir, runAs);
    const postBootstrap = join(clusterDir, "post-bootstrap.sh");
    const postBootstrapSql = join(clusterDir, "post-bootstrap.sql");
    writeFileSync(
      postBootstrapSql,
      [`CREATE DATABASE "${database}";`, `\\connect "${database}"`, ...(this.options.postBootstrapSql ?? []), ""].join(
        "\n",
      ),
    );
    writeFileSync(
      postBootstrap,
      [
        "#!/bin/sh",
        "# Patroni runs this once on the new primary, with a connection URL as $1.",
        `exec ${PG_BIN}/psql -X -q -v ON_ERROR_STOP=1 -d "$1" -f ${shellQuote(postBootstrapSql)}`,
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
    if (runAs) chownSync(postBootstrap, runAs.uid, runAs.gid);
    for (const member of this.members) {
      ownedDir(member.dir, runAs);
      const config = {
        scope,
        namespace: "/emshop/",
        name: member.name,
        log: { level: "INFO", format: "%(asctime)s %(levelname)s: %(message)s" },
        restapi: { listen: `127.0.0.1:${member.restPort}`, connect_address: `127.0.0.1:${member.restPort}` },
        etcd3: { hosts: [this.options.etcd.hostPort], protocol: "http" },
        bootstrap: {
          dcs: {
            ttl: timing.ttl,
            loop_wait: timing.loopWait,
            retry_timeout: timing.retryTimeout,
            maximum_lag_on_failover: 1024 * 1024,
            synchronous_mode: true,
            synchronous_mode_strict: false,
            synchronous_node_count: 1,
            postgresql: {
              use_pg_rewind: true,
              use_slots: true,
              parameters: {
                max_connections: this.options.maxConnections ?? 100,
                max_wal_senders: 10,
                max_replication_slots: 10,
                wal_level: "replica",
                hot_standby: "on",
                wal_log_hints: "on",
                wal_keep_size: "256MB",
                max_wal_size: "256MB",
                synchronous_commit: "on",
                hot_standby_feedback: "on",
                wal_receiver_status_interval: "1s",
                shared_buffers: "32MB",
              },
            },
          },
          initdb: [{ encoding: "UTF8" }, { locale: "C" }, "data-checksums", { auth: "trust" }],
          post_bootstrap: postBootstrap,
        },
        postgresql: {
          listen: `127.0.0.1:${member.pgPort}`,
          connect_address: `127.0.0.1:${member.pgPort}`,
          data_dir: join(member.dir, "data"),
          bin_dir: PG_BIN,
          pgpass: join(member.dir, "pgpass"),
          // A spread checkpoint would make the standby's pg_basebackup wait minutes.
          basebackup: [{ checkpoint: "fast" }],
          authentication: { superuser: { username: "postgres" }, replication: { username: "replicator" } },
          pg_hba: ["local all all trust", "host all all 127.0.0.1/32 trust", "host replication all 127.0.0.1/32 trust"],
          parameters: {
            unix_socket_directories: member.dir,
            log_line_prefix: `%m [%p] ${member.name} `,
            log_min_messages: "warning",
          },
          remove_data_directory_on_rewind_failure: true,
          remove_data_directory_on_diverged_timelines: true,
        },
        watchdog: { mode: "off" },
        tags: { nofailover: false, noloadbalance: false, clonefrom: false, nosync: false },
      };
      const configFile = join(member.dir, "patroni.yml");
      // JSON is YAML.
      writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
      if (runAs) chownSync(configFile, runAs.uid, runAs.gid);
    }
  }

  private spawnMember(member: MemberSpec) {
    this.registry.spawn(this.processName(member.name), "/usr/bin/patroni", [join(member.dir, "patroni.yml")], {
      logFile: join(member.dir, "patroni.log"),
      runAs: this.options.runAs,
      cwd: member.dir,
      env: { HOME: member.dir, PYTHONUNBUFFERED: "1" },
    });
  }

  details(): string {
    return this.members
      .map(
        (member) =>
          `--- ${member.name} (${join(member.dir, "patroni.log")}) ---\n${tailFile(join(member.dir, "patroni.log"), 25)}`,
      )
      .join("\n");
  }

  /** Writes the configuration, starts every member, waits for a leader, a synchronous standby and the database. */
  async start(timeoutMs: number): Promise<void> {
    this.writeFiles();
    // Members race for the DCS's initialize key: one bootstraps, the others pg_basebackup from it.
    for (const member of this.members) this.spawnMember(member);
    await this.waitForHealthy(timeoutMs);
  }

  /** Waits until there is a running leader and every other member runs as sync_standby/replica. */
  async waitForHealthy(timeoutMs: number): Promise<MemberStatus[]> {
    return waitFor(
      `${this.scope}: a running leader and ${this.members.length - 1} running standby(s), one synchronous`,
      async () => {
        for (const member of this.members)
          if (!this.registry.processes.get(this.processName(member.name))?.alive())
            throw new GiveUp(`patroni ${member.name} exited`);
        const members = await this.status();
        const running = members.filter((member) => member.state === "running" || member.state === "streaming");
        const leader = running.find((member) => member.role === "leader");
        const sync = running.find((member) => member.role === "sync_standby");
        if (!leader || !sync || running.length < this.members.length) return undefined;
        const primary = await httpGet(`${this.restUrl(leader.name)}/primary`);
        return primary.status === 200 ? members : undefined;
      },
      { timeoutMs, intervalMs: 250, details: () => this.details() },
    );
  }

  /** Members as Patroni's REST /cluster reports them (asked of each member in turn until one answers). */
  async status(): Promise<MemberStatus[]> {
    let lastError: unknown;
    for (const member of this.members) {
      try {
        const { status, body } = await httpGet(`${this.restUrl(member.name)}/cluster`);
        if (status !== 200) throw new Error(`GET /cluster: ${status}`);
        const parsed = JSON.parse(body) as {
          members?: { name: string; role: string; state: string; lag?: number | string; timeline?: number }[];
        };
        return (parsed.members ?? []).map((entry) => ({
          name: entry.name,
          role: (entry.role === "master" ? "leader" : entry.role) as MemberRole,
          state: entry.state,
          lag: typeof entry.lag === "number" ? entry.lag : entry.role === "leader" ? 0 : "unknown",
          ...(entry.timeline === undefined ? {} : { timeline: entry.timeline }),
        }));
      } catch (error) {
        lastError = error;
      }
    }
    throw new Error(`no Patroni member of ${this.scope} answers: ${(lastError as Error | undefined)?.message}`);
  }

  async leader(): Promise<string | undefined> {
    return (await this.status()).find((member) => member.role === "leader")?.name;
  }

  /** The postmaster's pid from its data dir's postmaster.pid (undefined when not running). */
  postmasterPid(name: string): number | undefined {
    const pidFile = join(this.member(name).dir, "data", "postmaster.pid");
    if (!existsSync(pidFile)) return undefined;
    const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    try {
      process.kill(pid, 0);
      return pid;
    } catch {
      return undefined;
    }
  }

  /** Remembers the postmaster's process group (its own: Patroni setsid()s it) so stop() can kill it. */
  trackPostmasters() {
    for (const member of this.members) {
      const pid = this.postmasterPid(member.name);
      const group = pid === undefined ? undefined : processGroupOf(pid);
      if (group !== undefined) this.registry.extraGroups.add(group);
    }
  }

  /**
   * SIGKILLs a member's Patroni (its group) and its postmaster's group (the
   * postmaster and every backend). Killing only the postmaster would make
   * Patroni restart it in place; killing only Patroni leaves PostgreSQL up.
   */
  async killMember(name: string): Promise<void> {
    const pid = this.postmasterPid(name);
    const group = pid === undefined ? undefined : processGroupOf(pid);
    await this.registry.kill(this.processName(name));
    if (group !== undefined) {
      killGroup(group);
      this.registry.extraGroups.delete(group);
    }
    await waitFor(`${name}'s postmaster to die`, () => this.postmasterPid(name) === undefined, {
      timeoutMs: 5000,
      intervalMs: 20,
    });
  }

  async killPrimary(): Promise<{ killedMember: string }> {
    const leader = await this.leader();
    if (!leader) throw new Error(`${this.scope} has no leader to kill`);
    const at = Date.now();
    await this.killMember(leader);
    this.lastKill = { member: leader, at };
    return { killedMember: leader };
  }

  /**
   * Waits until a member other than the last killed one answers GET /primary
   * with 200 (what HAProxy routes on; /cluster lags behind, it reads the DCS).
   */
  async waitForNewPrimary(timeoutMs: number): Promise<{ member: string; seconds: number }> {
    const kill = this.lastKill;
    const since = kill?.at ?? Date.now();
    const candidates = this.members.filter((member) => member.name !== kill?.member);
    const member = await waitFor(
      `${this.scope}: a new primary${kill ? ` after ${kill.member} was killed` : ""}`,
      async () => {
        const answers = await Promise.all(
          candidates.map((candidate) =>
            httpGet(`${this.restUrl(candidate.name)}/primary`, 500).then(
              (response) => response.status === 200,
              () => false,
            ),
          ),
        );
        return candidates[answers.indexOf(true)]?.name;
      },
      { timeoutMs, intervalMs: 50, details: () => this.details() },
    );
    this.trackPostmasters();
    return { member, seconds: (Date.now() - since) / 1000 };
  }

  /** Starts a (killed) member's Patroni again; it rejoins as a standby (pg_rewind when its timeline diverged). */
  async restartMember(
    name: string,
    timeoutMs = 60_000,
  ): Promise<{ member: string; role: MemberRole; seconds: number }> {
    const started = Date.now();
    const member = this.member(name);
    if (this.registry.processes.get(this.processName(name))?.alive()) await this.killMember(name);
    this.spawnMember(member);
    const status = await waitFor(
      `${this.scope}: ${name} to rejoin as a running standby`,
      async () => {
        const entry = (await this.status()).find((candidate) => candidate.name === name);
        if (!entry || entry.role === "leader") return undefined;
        return entry.state === "running" || entry.state === "streaming" ? entry : undefined;
      },
      { timeoutMs, intervalMs: 200, details: () => this.details() },
    );
    this.trackPostmasters();
    return { member: name, role: status.role, seconds: (Date.now() - started) / 1000 };
  }

  /** Waits until `name` is the synchronous standby (after a rejoin it is a plain replica for a loop or two). */
  async waitForSyncStandby(name: string, timeoutMs = 30_000): Promise<void> {
    await waitFor(
      `${this.scope}: ${name} to become sync_standby`,
      async () => (await this.status()).some((entry) => entry.name === name && entry.role === "sync_standby"),
      { timeoutMs, intervalMs: 200, details: () => this.details() },
    );
  }
}
