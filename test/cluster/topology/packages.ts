import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

/**
 * The Debian packages the local topology runs, installed when missing (as
 * root, or through sudo), so `npm run test:cluster` works on a fresh machine
 * of this kind. A packaged daemon the postinst may start (etcd, pgbouncer) is
 * stopped again: the topology starts its own on its own ports.
 */
const NEEDED = [
  { binary: "/usr/sbin/haproxy", pkg: "haproxy" },
  { binary: "/usr/bin/patroni", pkg: "patroni" },
  { binary: "/usr/bin/etcd", pkg: "etcd-server", service: "etcd" },
  { binary: "/usr/sbin/pgbouncer", pkg: "pgbouncer", service: "pgbouncer" },
  { binary: "/usr/lib/postgresql/15/bin/initdb", pkg: "postgresql-15" },
];

export function ensureTopologyPackages(log: (line: string) => void = () => undefined): void {
  const missing = NEEDED.filter((entry) => !existsSync(entry.binary));
  if (missing.length === 0) return;
  const names = missing.map((entry) => entry.pkg);
  const root = process.getuid?.() === 0;
  const sudo = root ? [] : ["sudo", "-n", "env", "DEBIAN_FRONTEND=noninteractive"];
  if (!root && !existsSync("/usr/bin/sudo"))
    throw new Error(
      `the cluster test needs ${names.join(", ")} (Debian packages), and installing them needs root or sudo`,
    );
  log(`installing ${names.join(", ")} from Debian's packages…`);
  const run = (args: string[]) =>
    execFileSync(args[0] as string, args.slice(1), {
      stdio: "inherit",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
  run([...sudo, "apt-get", "update"]);
  run([...sudo, "apt-get", "install", "-y", "--no-install-recommends", ...names]);
  for (const entry of missing) {
    if (!entry.service) continue;
    try {
      run([...sudo, "service", entry.service, "stop"]);
    } catch {
      // not started by the postinst (no init system): nothing to stop
    }
  }
  const still = NEEDED.filter((entry) => !existsSync(entry.binary)).map((entry) => entry.binary);
  if (still.length > 0) throw new Error(`still missing after apt-get install: ${still.join(", ")}`);
}
