import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "@emshop/db/paths";
import { gatewayServiceOptions, gatewaySettings, loadGatewayConfig } from "@emshop/gateway/config";
import { goodsServiceOptions, goodsSettings, loadGoodsConfig } from "@emshop/goods/config";
import { inventoryServiceOptions, inventorySettings, loadInventoryConfig } from "@emshop/inventory/config";
import { afterEach, describe, expect, it } from "vitest";

// `npm start` / `npm run start:prod` run tools/scripts/supervise.mjs: a service
// that dies must never leave half an API running silently. These tests run the
// real script on real services (dev mode: tsx, in-memory PGlite, free ports);
// the gateway is left out (`--only`) because it cannot find subgraphs on port 0.

/** Starting tsx services on a busy 2-core machine takes 20–40 s. */
const START_TIMEOUT_MS = 90_000;
const TEST_TIMEOUT_MS = 180_000;

interface Supervisor {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running: Supervisor[] = [];
const servicePids = new Set<number>();

function supervise(args: string[]): Supervisor {
  const child = spawn(process.execPath, ["tools/scripts/supervise.mjs", ...args], {
    cwd: repoRoot,
    env: {
      ...process.env,
      GOODS_DATABASE_URL: "memory://",
      INVENTORY_DATABASE_URL: "memory://",
      DEMO_DATA: "false",
      GOODS_PORT: "0",
      INVENTORY_PORT: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    stdout += chunk;
    for (const match of stdout.matchAll(/ started \(pid (\d+)\)/g)) servicePids.add(Number(match[1]));
  });
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  // "close", not "exit": "exit" can come before the last chunks of its output are read, and
  // the tests look for the supervisor's last lines (CI once saw the "stopped" line missing).
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal })),
  );
  const supervisor = { child, stdout: () => stdout, stderr: () => stderr, exited };
  running.push(supervisor);
  return supervisor;
}

async function until<T>(what: string, supervisor: Supervisor, check: () => T | undefined, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline || supervisor.child.exitCode !== null)
      throw new Error(
        `${supervisor.child.exitCode !== null ? "supervise exited" : "timed out"} waiting for ${what}\n--- stdout\n${supervisor.stdout()}\n--- stderr\n${supervisor.stderr()}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The pid of every start of `service`, in order. */
const pidsOf = (supervisor: Supervisor, service: string) =>
  [...supervisor.stdout().matchAll(new RegExp(`\\b${service} started \\(pid (\\d+)\\)`, "g"))].map((m) => Number(m[1]));

/** Lines `service` printed that say it is serving (its own JSON log lines, prefixed with its name). */
const servingLines = (supervisor: Supervisor, service: string) =>
  supervisor.stdout().match(new RegExp(`^${service} +\\| \\{.*"msg":"serving (http://\\S+/graphql)"\\}$`, "gm")) ?? [];

async function serving(supervisor: Supervisor, service: string, times = 1) {
  await until(
    `${service} serving${times > 1 ? ` (${times}×)` : ""}`,
    supervisor,
    () => (servingLines(supervisor, service).length >= times ? true : undefined),
    START_TIMEOUT_MS,
  );
  const pid = pidsOf(supervisor, service)[times - 1];
  if (pid === undefined) throw new Error(`no pid logged for ${service}`);
  return pid;
}

function alive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function exitWithin(supervisor: Supervisor, ms: number) {
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(
      () => reject(new Error(`supervise still running after ${ms} ms\n${supervisor.stdout()}\n${supervisor.stderr()}`)),
      ms,
    ),
  );
  return Promise.race([supervisor.exited, timeout]);
}

afterEach(async () => {
  for (const supervisor of running.splice(0)) if (supervisor.child.exitCode === null) supervisor.child.kill("SIGKILL");
  // The services are in their own process groups: a killed supervisor leaves them behind.
  for (const pid of servicePids) if (alive(pid)) process.kill(pid, "SIGKILL");
  servicePids.clear();
});

describe("supervise.mjs (npm start): fail fast by default", () => {
  it(
    "a service killed from outside stops the others and exits non-zero, with a banner naming it",
    async () => {
      const supervisor = supervise(["dev", "--only", "goods,inventory"]);
      const goods = await serving(supervisor, "goods");
      const inventory = await serving(supervisor, "inventory");
      expect(alive(goods) && alive(inventory)).toBe(true);

      process.kill(goods, "SIGKILL");
      const exit = await exitWithin(supervisor, 25_000); // inventory drains in well under its 15 s bound

      expect(exit.code).toBe(1);
      expect(supervisor.stderr()).toMatch(
        /^✖ goods exited \(signal SIGKILL\) — the API is incomplete; stopping the others$/m,
      );
      expect(supervisor.stderr()).toContain("sending SIGTERM to inventory");
      expect(supervisor.stdout()).toMatch(/^inventory +\| \{.*"service":"inventory".*"msg":"SIGTERM: draining"\}$/m); // it drained, not killed
      expect(supervisor.stdout()).toContain("inventory exited (code 0)");
      expect(alive(inventory)).toBe(false);
      expect(alive(goods)).toBe(false);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "a service that exits 0 on its own counts as dead too (turbo took that for success and kept the rest serving)",
    async () => {
      const supervisor = supervise(["dev", "--only", "goods"]);
      const goods = await serving(supervisor, "goods");

      process.kill(goods, "SIGTERM"); // someone else's SIGTERM: it drains and exits 0
      const exit = await exitWithin(supervisor, 25_000);

      expect(exit.code).toBe(1);
      expect(supervisor.stdout()).toMatch(/^goods +\| \{.*"service":"goods".*"msg":"stopped"\}$/m);
      expect(supervisor.stderr()).toMatch(/^✖ goods exited \(code 0\) — the API is incomplete/m);
    },
    TEST_TIMEOUT_MS,
  );
});

describe("supervise.mjs --restart", () => {
  it(
    "restarts a killed service after the first backoff step, and SIGTERM stops everything cleanly",
    async () => {
      const supervisor = supervise(["dev", "--restart", "--only", "goods,inventory"]);
      const goods = await serving(supervisor, "goods");
      const inventory = await serving(supervisor, "inventory");

      process.kill(goods, "SIGKILL");
      const restarted = await serving(supervisor, "goods", 2);

      expect(restarted).not.toBe(goods);
      expect(alive(goods)).toBe(false);
      expect(supervisor.stderr()).toMatch(/^✖ goods exited \(signal SIGKILL\) after .* — the API is incomplete/m);
      expect(supervisor.stderr()).toContain("restarting goods in 1.0 s");
      expect(supervisor.stdout()).toContain("restarting goods (restart 1)");
      expect(alive(inventory)).toBe(true); // untouched meanwhile
      const url = /"msg":"serving (http:\/\/\S+\/graphql)"\}$/.exec(servingLines(supervisor, "goods")[1] ?? "")?.[1];
      const answer = await fetch(url ?? "", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "{ __typename }" }),
      });
      expect(answer.status).toBe(200);

      supervisor.child.kill("SIGTERM");
      const exit = await exitWithin(supervisor, 25_000);

      expect(exit).toEqual({ code: 0, signal: null });
      expect(supervisor.stdout()).toContain("goods exited (code 0)");
      expect(supervisor.stdout()).toContain("inventory exited (code 0)");
      expect(alive(restarted)).toBe(false);
      expect(alive(inventory)).toBe(false);
    },
    TEST_TIMEOUT_MS,
  );
});

describe("supervise.mjs arguments", () => {
  it("refuses an unknown mode or service, and prod without a build names what is missing", () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ["tools/scripts/supervise.mjs", ...args], { cwd: repoRoot, encoding: "utf8" });
    expect(run("staging").status).toBe(2);
    expect(run("dev", "--only", "payments").stderr).toContain("unknown service(s) payments");
    if (!existsSync(join(repoRoot, "gateway/dist/index.js"))) {
      const prod = run("prod", "--only", "gateway");
      expect(prod.status).toBe(1);
      expect(prod.stderr).toContain("not built: gateway/dist/index.js");
    }
  });
});

// ---- deploy/systemd: how production supervises each service ----

const SYSTEMD = join(repoRoot, "deploy/systemd");
/** What the services' runService allows on top of the drain before it exits anyway (run-service.ts). */
const CLOSE_MARGIN_MS = 5000;

type Unit = Record<string, Record<string, string[]>>;

/** A unit file's sections and keys; a key given twice keeps both values. */
function parseUnit(text: string): Unit {
  const unit: Unit = {};
  let section: Record<string, string[]> | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header?.[1]) {
      unit[header[1]] ??= {};
      section = unit[header[1]];
      continue;
    }
    const eq = line.indexOf("=");
    if (!section || eq < 0) throw new Error(`not a unit file line: ${line}`);
    const key = line.slice(0, eq).trim();
    section[key] = [...(section[key] ?? []), line.slice(eq + 1).trim()];
  }
  return unit;
}

/** systemd time spans as used here: "30", "30s", "2min", "1min 30s". */
function seconds(span: string) {
  let total = 0;
  for (const part of span.trim().split(/\s+/)) {
    const match = /^(\d+)(s|sec|min|m)?$/.exec(part);
    if (!match) throw new Error(`unsupported time span ${span}`);
    total += Number(match[1]) * (match[2] === "min" || match[2] === "m" ? 60 : 1);
  }
  return total;
}

/** KEY=value lines of an env file (comments and blank lines skipped). */
const envFile = (text: string) =>
  Object.fromEntries(
    text
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "" && !line.startsWith("#"))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  ) as Record<string, string>;

const SERVICES = {
  goods: {
    dir: "subgraphs/goods",
    settings: goodsSettings,
    config: loadGoodsConfig,
    options: (env: Record<string, string>) => goodsServiceOptions(loadGoodsConfig(env)),
  },
  inventory: {
    dir: "subgraphs/inventory",
    settings: inventorySettings,
    config: loadInventoryConfig,
    options: (env: Record<string, string>) => inventoryServiceOptions(loadInventoryConfig(env)),
  },
  gateway: {
    dir: "gateway",
    settings: gatewaySettings,
    config: loadGatewayConfig,
    options: (env: Record<string, string>) => gatewayServiceOptions(loadGatewayConfig(env)),
  },
} as const;

describe("deploy/systemd units", () => {
  const unitFiles = readdirSync(SYSTEMD).filter((file) => file.endsWith(".service"));
  const units = new Map(unitFiles.map((file) => [file, parseUnit(readFileSync(join(SYSTEMD, file), "utf8"))]));

  it("one unit per service, plus emshop.target", () => {
    expect(unitFiles.sort()).toEqual(
      Object.keys(SERVICES)
        .map((name) => `emshop-${name}.service`)
        .sort(),
    );
    const target = parseUnit(readFileSync(join(SYSTEMD, "emshop.target"), "utf8"));
    expect(target.Install?.WantedBy).toEqual(["multi-user.target"]);
  });

  describe.each(Object.entries(SERVICES))("emshop-%s.service", (name, service) => {
    const unit = () => {
      const parsed = units.get(`emshop-${name}.service`);
      if (!parsed) throw new Error(`deploy/systemd/emshop-${name}.service is missing`);
      return { unit: parsed.Unit ?? {}, service: parsed.Service ?? {}, install: parsed.Install ?? {} };
    };

    it("runs the compiled service of a real service folder with plain node, as production", () => {
      const { service: s } = unit();
      expect(s.Type).toEqual(["simple"]);
      expect(s.ExecStart).toHaveLength(1);
      const match = /^\/usr\/bin\/node --enable-source-maps \/opt\/emshop\/(\S+)\/dist\/index\.js$/.exec(
        s.ExecStart?.[0] ?? "",
      );
      expect(match?.[1]).toBe(service.dir);
      // A service folder: its sources, and a build script that writes dist/index.js.
      expect(existsSync(join(repoRoot, service.dir, "src/index.ts"))).toBe(true);
      const pkg = JSON.parse(readFileSync(join(repoRoot, service.dir, "package.json"), "utf8"));
      expect(pkg.scripts.build).toContain("bundle-service.mjs");
      expect(s.WorkingDirectory).toEqual([`/opt/emshop/${service.dir}`]);
      expect(s.User).toEqual(["emshop"]);
    });

    it("is always restarted, but gives up on a service that cannot stay up", () => {
      const { unit: u, service: s } = unit();
      expect(s.Restart).toEqual(["always"]);
      expect(seconds(s.RestartSec?.[0] ?? "")).toBeGreaterThan(0);
      expect(seconds(u.StartLimitIntervalSec?.[0] ?? "")).toBeGreaterThan(0);
      expect(Number(u.StartLimitBurst?.[0])).toBeGreaterThan(1);
    });

    it("reads production settings that exist, and waits for the drain on stop", () => {
      const { unit: u, service: s, install } = unit();
      expect(s.Environment).toContain("NODE_ENV=production");
      expect(s.EnvironmentFile).toEqual([`/etc/emshop/${name}.env`]);
      expect(s.KillSignal).toEqual(["SIGTERM"]);
      // The example env file: known variables of this service only, valid for production.
      const example = envFile(readFileSync(join(SYSTEMD, `${name}.env.example`), "utf8"));
      const unknown = Object.keys(example).filter((variable) => !(variable in service.settings));
      expect(unknown, `not settings of ${name}`).toEqual([]);
      expect(example.NODE_ENV, "NODE_ENV belongs in the unit (the env file would override it)").toBeUndefined();
      const fromUnit = Object.fromEntries((s.Environment ?? []).map((pair) => pair.split("=", 2) as [string, string]));
      const stopSeconds = seconds(s.TimeoutStopSec?.[0] ?? "");
      // systemd must not SIGKILL a service that is still draining: with the defaults (10 s)...
      const defaults = service.config({});
      expect(stopSeconds * 1000).toBeGreaterThan(
        defaults.SHUTDOWN_DELAY_MS + defaults.SHUTDOWN_TIMEOUT_MS + CLOSE_MARGIN_MS,
      );
      // ...and with the example, which must be a valid production configuration (this throws otherwise).
      const { shutdown } = service.options({ ...fromUnit, ...example });
      expect(shutdown?.delayMs).toBeGreaterThan(0); // the example shows the load-balancer delay
      expect(stopSeconds * 1000).toBeGreaterThan(
        (shutdown?.delayMs ?? 0) + (shutdown?.timeoutMs ?? 0) + CLOSE_MARGIN_MS,
      );
      expect(u.PartOf).toEqual(["emshop.target"]);
      expect(install.WantedBy).toEqual(["emshop.target"]);
      expect(u.After).toContain("network-online.target");
      expect(u.Wants).toContain("network-online.target");
    });

    it("is hardened and bounded in memory", () => {
      const { service: s } = unit();
      for (const [key, value] of Object.entries({
        NoNewPrivileges: "yes",
        ProtectSystem: "strict",
        ProtectHome: "yes",
        PrivateTmp: "yes",
      }))
        expect(s[key], key).toEqual([value]);
      expect(s.MemoryMax?.[0]).toMatch(/^\d+[KMG]$/);
      expect(s.MemoryDenyWriteExecute, "V8's JIT needs W+X memory").toBeUndefined();
    });
  });

  const systemdAnalyze = spawnSync("systemd-analyze", ["--version"]).status === 0 && existsSync("/usr/bin/node");
  it.skipIf(!systemdAnalyze)("systemd-analyze verify (where it is installed) finds nothing to complain about", () => {
    const files = [...unitFiles, "emshop.target"].map((file) => join(SYSTEMD, file));
    const verify = spawnSync("systemd-analyze", ["verify", ...files], { encoding: "utf8" });
    expect(verify.stderr.trim()).toBe("");
    expect(verify.status).toBe(0);
  });
});
