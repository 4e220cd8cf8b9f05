import { chownSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { ProcessRegistry, RunAs } from "./processes";
import { GiveUp, httpGet, waitFor } from "./wait";

/**
 * A single-member etcd on loopback: the DCS both Patroni clusters keep their
 * leader keys in. Patroni 3.0.2 talks to it with its `etcd3` client (the v3
 * JSON gateway over urllib3; Debian's python3-etcd only supplies the
 * exceptions), so etcd's v2 API is not needed; it is enabled anyway
 * (`--enable-v2`) so the `etcd` (v2) DCS also works if someone switches.
 */
export interface Etcd {
  clientUrl: string;
  /** `host:port` for Patroni's `etcd3.hosts`. */
  hostPort: string;
}

export async function startEtcd(
  registry: ProcessRegistry,
  options: { dir: string; clientPort: number; peerPort: number; runAs?: RunAs | undefined; timeoutMs: number },
): Promise<Etcd> {
  const dataDir = join(options.dir, "etcd");
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (options.runAs) chownSync(dataDir, options.runAs.uid, options.runAs.gid);
  const clientUrl = `http://127.0.0.1:${options.clientPort}`;
  const peerUrl = `http://127.0.0.1:${options.peerPort}`;
  const proc = registry.spawn(
    "etcd",
    "/usr/bin/etcd",
    [
      "--name=etcd0",
      `--data-dir=${dataDir}`,
      `--listen-client-urls=${clientUrl}`,
      `--advertise-client-urls=${clientUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=etcd0=${peerUrl}`,
      "--initial-cluster-state=new",
      `--initial-cluster-token=emshop-${options.clientPort}`,
      "--enable-v2=true",
      // Loopback, one member: short raft timers, no disk-bound snapshots worth mentioning.
      "--heartbeat-interval=100",
      "--election-timeout=500",
      "--logger=zap",
      "--log-level=warn",
    ],
    { logFile: join(options.dir, "etcd.log"), runAs: options.runAs, env: { HOME: options.dir } },
  );
  await waitFor(
    "etcd to report healthy",
    async () => {
      if (!proc.alive()) throw new GiveUp("etcd exited");
      const { status, body } = await httpGet(`${clientUrl}/health`);
      return status === 200 && /"health":\s*"true"/.test(body);
    },
    { timeoutMs: options.timeoutMs, details: () => registry.tails() },
  );
  return { clientUrl, hostPort: `127.0.0.1:${options.clientPort}` };
}
