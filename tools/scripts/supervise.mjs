// `npm start` (dev) and `npm run start:prod` (prod): runs goods, inventory and
// the gateway side by side as child processes on one machine, and never serves
// half an API silently.
//
//   node tools/scripts/supervise.mjs dev|prod [--restart] [--only goods,inventory]
//
//   dev      each service from TypeScript (`node --import tsx src/index.ts` in its
//            folder: the same loader as `tsx src/index.ts`, one process per service)
//   prod     the compiled bundles (`node --enable-source-maps dist/index.js`;
//            `npm run build` first), as a deployment runs each of them
//   --restart
//            restart a service that died, after 1 s, 2 s, 4 s … (at most 30 s; the
//            delay starts over once a run lasted 60 s). A service that dies before
//            it ever served (bad configuration, port taken) is not restarted.
//   --only   a subset of the services, e.g. `--only goods,inventory`
//
// Default policy: fail fast. When a service exits and we did not ask it to (a
// crash, an exit code, a kill from outside, even a clean exit 0), a banner on
// stderr names it, the others get SIGTERM and drain, and this process exits 1,
// so whoever runs it (a developer, CI, an outer supervisor) sees it.
// SIGINT/SIGTERM/SIGHUP are passed on once to every service; each drains and
// exits on its own, and we exit 0 when all of them exited cleanly. A second
// signal is passed on too (the services then exit at once). Every output line
// of a service is printed whole, prefixed with its name.
//
// No dependencies: prod works after `npm prune --omit=dev`. In production a
// real supervisor runs each service on its own (deploy/systemd/).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** Start order: the subgraphs first, then the gateway (it reads the static supergraph, so it does not wait for them). */
const SERVICES = [
  { name: "goods", dir: "subgraphs/goods" },
  { name: "inventory", dir: "subgraphs/inventory" },
  { name: "gateway", dir: "gateway" },
];
const MODES = {
  dev: { args: ["--import", "tsx", "src/index.ts"], entry: "src/index.ts" },
  prod: { args: ["--enable-source-maps", "dist/index.js"], entry: "dist/index.js" },
};
/** How a developer runs each mode (for the hint in the banner). */
const RERUN = { dev: "npm start", prod: "npm run start:prod" };
const BACKOFF_FIRST_MS = 1000;
const BACKOFF_MAX_MS = 30_000;
/** A run at least this long counts as healthy: the next failure starts the backoff over. */
const BACKOFF_RESET_AFTER_MS = 60_000;
const USAGE = "usage: node tools/scripts/supervise.mjs dev|prod [--restart] [--only goods,inventory,gateway]";

function parseArgs(argv) {
  const options = { mode: undefined, restart: false, only: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--restart") options.restart = true;
    else if (arg === "--only" || arg.startsWith("--only=")) {
      const value = arg === "--only" ? argv[++i] : arg.slice("--only=".length);
      if (!value) usageError("--only needs a comma-separated list of services");
      options.only = value
        .split(",")
        .map((name) => name.trim())
        .filter(Boolean);
    } else if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else if (!arg.startsWith("-") && options.mode === undefined) options.mode = arg;
    else usageError(`unknown argument ${arg}`);
  }
  if (!Object.hasOwn(MODES, options.mode ?? "")) usageError("the mode must be dev or prod");
  const unknown = (options.only ?? []).filter((name) => !SERVICES.some((service) => service.name === name));
  if (unknown.length > 0) usageError(`unknown service(s) ${unknown.join(", ")}`);
  if (options.only?.length === 0) usageError("--only names no service");
  return options;
}

function usageError(message) {
  console.error(`supervise: ${message}\n${USAGE}`);
  process.exit(2);
}

const options = parseArgs(process.argv.slice(2));
const mode = MODES[options.mode];
const selected = SERVICES.filter((service) => !options.only || options.only.includes(service.name));

if (options.mode === "prod") {
  const missing = selected.filter((service) => !existsSync(join(root, service.dir, mode.entry)));
  if (missing.length > 0) {
    console.error(
      `supervise: not built: ${missing.map((service) => `${service.dir}/${mode.entry}`).join(", ")}. Run \`npm run build\` first.`,
    );
    process.exit(1);
  }
}

const width = Math.max("supervise".length, ...selected.map((service) => service.name.length));
const prefix = (name) => `${name.padEnd(width)} | `;
const say = (line) => process.stdout.write(`${prefix("supervise")}${line}\n`);
/** A banner on stderr, unprefixed so that it stands out between the services' lines. */
const warn = (lines) => process.stderr.write(`${lines.join("\n")}\n`);
// Whoever reads our output may go away (a closed pipe); the services keep running and stop on a signal.
process.stdout.on("error", () => undefined);
process.stderr.on("error", () => undefined);

const describeExit = (code, signal) => (signal ? `signal ${signal}` : `code ${code}`);
const seconds = (ms) => `${ms < 10_000 ? (ms / 1000).toFixed(1) : Math.round(ms / 1000)} s`;

/** Stop state: undefined while running; set once a signal arrived or a service died in fail-fast mode. */
let stopping;
let exitCode = 0;

const states = selected.map((service) => ({
  ...service,
  child: undefined,
  startedAt: 0,
  /** We sent this child a signal: its exit is expected. */
  signalled: false,
  /** It logged "serving …" at least once in this supervisor's life. */
  everServed: false,
  failures: 0,
  restarts: 0,
  restartTimer: undefined,
  done: false,
}));

/**
 * The services write to our pipe, not to the terminal, so their LOG_FORMAT=auto
 * would pick JSON: when a person watches `npm start` on a terminal, they get
 * the readable format (an explicit LOG_FORMAT still wins).
 */
const childEnv =
  options.mode === "dev" && process.stdout.isTTY && !process.env.LOG_FORMAT
    ? { ...process.env, LOG_FORMAT: "pretty" }
    : process.env;

function start(state) {
  state.signalled = false;
  state.startedAt = Date.now();
  const child = spawn(process.execPath, mode.args, {
    cwd: join(root, state.dir),
    env: childEnv,
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: Ctrl-C in a terminal reaches only us, and we pass it on once
    // (a service that got SIGINT twice would exit without draining).
    detached: true,
  });
  state.child = child;
  for (const [stream, out] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ]) {
    createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on("line", (line) => {
      if (stream === child.stdout && !state.everServed && /\bserving http/.test(line)) state.everServed = true;
      out.write(`${prefix(state.name)}${line}\n`);
    });
  }
  let spawnError;
  child.once("error", (error) => {
    spawnError = error;
  });
  // "close": after the child's last output line, so the banner comes after it.
  child.once("close", (code, signal) => onExit(state, child, spawnError?.message, code, signal));
  if (child.pid !== undefined)
    say(`${state.name} started (pid ${child.pid}): node ${mode.args.join(" ")} in ${state.dir}`);
}

function onExit(state, child, spawnError, code, signal) {
  if (state.child !== child) return;
  state.child = undefined;
  const how = spawnError ? `could not start: ${spawnError}` : describeExit(code, signal);
  const upMs = Date.now() - state.startedAt;
  if (state.signalled || stopping) {
    // Asked to stop: a clean drain is exit code 0 (or the very signal we sent, if it had no handler).
    const clean = code === 0 || (signal !== null && signal === state.signalled);
    if (!clean) exitCode = 1;
    say(`${state.name} exited (${how})${clean ? "" : " while stopping"}`);
    state.done = true;
    finishIfDone();
    return;
  }
  if (options.restart && state.everServed) {
    if (upMs >= BACKOFF_RESET_AFTER_MS) state.failures = 0;
    const delay = Math.min(BACKOFF_FIRST_MS * 2 ** state.failures, BACKOFF_MAX_MS);
    state.failures++;
    warn([
      "",
      `✖ ${state.name} exited (${how}) after ${seconds(upMs)} up — the API is incomplete until it is back`,
      `  restarting ${state.name} in ${seconds(delay)} (--restart; delays double up to ${seconds(BACKOFF_MAX_MS)})`,
      "",
    ]);
    state.restartTimer = setTimeout(() => {
      state.restartTimer = undefined;
      state.restarts++;
      say(`restarting ${state.name} (restart ${state.restarts})`);
      start(state);
    }, delay);
    return;
  }
  exitCode = 1;
  state.done = true;
  const others = states.filter((other) => other !== state && !other.done).map((other) => other.name);
  warn([
    "",
    `✖ ${state.name} exited (${how}) — the API is incomplete; stopping the others`,
    `  ${state.name} (${state.dir}, pid ${child.pid ?? "none"}) was up ${seconds(upMs)}; its last lines are above, prefixed "${state.name}".`,
    ...(options.restart && !state.everServed
      ? [`  It never served, so --restart does not retry it (fix the cause first).`]
      : [
          `  Stopping on purpose: no half an API. \`${RERUN[options.mode]} -- --restart\` restarts a dead service instead.`,
        ]),
    ...(others.length > 0 ? [`  sending SIGTERM to ${others.join(", ")}`] : []),
    "",
  ]);
  stop("SIGTERM");
}

/** Passes `signal` to every running service (again on a second signal); cancels pending restarts. */
function stop(signal) {
  stopping = signal;
  for (const state of states) {
    if (state.restartTimer) {
      clearTimeout(state.restartTimer);
      state.restartTimer = undefined;
      state.done = true;
    }
    if (state.child && state.child.exitCode === null && state.child.signalCode === null) {
      state.signalled = signal;
      try {
        state.child.kill(signal);
      } catch {
        // Already gone: its "close" follows.
      }
    } else if (!state.child) state.done = true;
  }
  finishIfDone();
}

function finishIfDone() {
  if (stopping && states.every((state) => state.done)) process.exit(exitCode);
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    const forward = signal === "SIGHUP" ? "SIGTERM" : signal;
    const running = states.filter((state) => state.child).map((state) => state.name);
    say(
      stopping
        ? `${signal} again: passing ${forward} on to ${running.join(", ") || "nobody"} (they exit without waiting)`
        : `${signal}: passing ${forward} on to ${running.join(", ") || "nobody"}; each drains and exits`,
    );
    stop(forward);
  });
}
// Leaving by any other path (an exception here): do not leave the services behind.
process.on("exit", () => {
  for (const state of states) if (state.child) state.child.kill("SIGTERM");
});

say(
  `${options.mode}: ${selected.map((service) => service.name).join(", ")}; ${options.restart ? "--restart: a dead service is restarted" : "fail fast: if one dies, all stop"}`,
);
for (const state of states) start(state);
