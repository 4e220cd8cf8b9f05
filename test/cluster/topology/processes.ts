import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Child processes of a topology: each one spawned `detached` (its own process
 * group, so `kill(-pid)` takes its children too), its stdout and stderr
 * appended to a log file whose tail goes into every startup error.
 */

/** The uid/gid PostgreSQL, Patroni and PgBouncer run as (they refuse root); undefined when we are not root. */
export interface RunAs {
  uid: number;
  gid: number;
}

/** The `postgres` OS user when we run as root (PostgreSQL refuses root), else nobody: we run as ourselves. */
export function postgresUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  return { uid: id("-u"), gid: id("-g") };
}

export interface ManagedProcess {
  name: string;
  pid: number;
  child: ChildProcess;
  logFile: string;
  /** Resolves with the exit code (or the signal's name) once it is gone. */
  exited: Promise<number | string | null>;
  alive(): boolean;
}

export interface SpawnOptions {
  logFile: string;
  runAs?: RunAs | undefined;
  env?: Record<string, string>;
  cwd?: string;
}

/** The last `lines` lines of a log file ("" when missing). */
export function tailFile(file: string, lines = 30): string {
  if (!existsSync(file)) return "";
  const text = readFileSync(file, "utf8");
  return text
    .split("\n")
    .slice(-lines - 1)
    .join("\n");
}

/** A process group's id from /proc (undefined once the process is gone). */
export function processGroupOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // pid (comm) state ppid pgrp …: comm may hold spaces and parentheses, so split after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const group = Number(fields[2]);
    return Number.isInteger(group) && group > 0 ? group : undefined;
  } catch {
    return undefined;
  }
}

/** SIGKILLs a whole process group; never ours, never init's. */
export function killGroup(group: number) {
  const own = processGroupOf(process.pid);
  if (group <= 1 || group === own) return;
  try {
    process.kill(-group, "SIGKILL");
  } catch {
    // already gone
  }
}

/** A process's command line, arguments joined by spaces (undefined once it is gone). */
function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return undefined;
  }
}

/** Pids of the processes whose command line mentions `text` (what `pgrep -f text` finds), except us. */
export function processesMentioning(text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid !== process.pid && commandLine(pid)?.includes(text)) found.push(pid);
  }
  return found;
}

/** The processes one topology started, and every process group they made. */
export class ProcessRegistry {
  readonly processes = new Map<string, ManagedProcess>();
  /** Process groups not led by a child of ours (Patroni starts each postmaster with setsid()). */
  readonly extraGroups = new Set<number>();

  spawn(name: string, command: string, args: string[], options: SpawnOptions): ManagedProcess {
    const previous = this.processes.get(name);
    if (previous?.alive()) throw new Error(`${name} is already running (pid ${previous.pid})`);
    const log = openSync(options.logFile, "a");
    let child: ChildProcess;
    try {
      child = spawn(command, args, {
        detached: true,
        stdio: ["ignore", log, log],
        env: { PATH: "/usr/lib/postgresql/15/bin:/usr/sbin:/usr/bin:/sbin:/bin", LANG: "C.UTF-8", ...options.env },
        ...(options.cwd ? { cwd: options.cwd } : {}),
        ...(options.runAs ? { uid: options.runAs.uid, gid: options.runAs.gid } : {}),
      });
    } finally {
      closeSync(log);
    }
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not start ${name} (${command}): see ${options.logFile}`);
    let running = true;
    const exited = new Promise<number | string | null>((resolve) => {
      child.once("exit", (code, signal) => {
        running = false;
        resolve(code ?? signal);
      });
      child.once("error", (error) => {
        running = false;
        resolve(error.message);
      });
    });
    // Our children must not keep the event loop (a test runner) alive on their own.
    child.unref();
    const managed: ManagedProcess = { name, pid, child, logFile: options.logFile, exited, alive: () => running };
    this.processes.set(name, managed);
    return managed;
  }

  /**
   * SIGKILLs one process's group and waits until the process is reaped. (Polled:
   * the children are unref'd, so awaiting only their exit event would let Node
   * end the event loop, and the process, meanwhile.)
   */
  async kill(name: string, timeoutMs = 10_000): Promise<void> {
    const managed = this.processes.get(name);
    if (!managed) return;
    const deadline = Date.now() + timeoutMs;
    while (managed.alive()) {
      killGroup(managed.pid);
      if (Date.now() > deadline) throw new Error(`${name} (pid ${managed.pid}) survived SIGKILL`);
      await sleep(20);
    }
  }

  /** Synchronously SIGKILLs every group we know of (usable from an `exit` handler). */
  killAllSync(extraPattern?: string) {
    for (const managed of this.processes.values()) if (managed.alive()) killGroup(managed.pid);
    for (const group of this.extraGroups) killGroup(group);
    // Anything still naming our directory (a postmaster whose pid we never saw) goes too, with its
    // group (its backends) unless that group is led by a process that does not name the directory
    // (someone's `tail -f <dir>/…` inside a script: only the tail goes, not the script).
    if (extraPattern)
      for (const pid of processesMentioning(extraPattern)) {
        const group = processGroupOf(pid);
        const leaderCmdline = group === undefined ? undefined : commandLine(group);
        if (group !== undefined && (leaderCmdline === undefined || leaderCmdline.includes(extraPattern)))
          killGroup(group);
        else
          try {
            process.kill(pid, "SIGKILL");
          } catch {
            // gone
          }
      }
  }

  /** Kills everything, then waits until no process naming `pattern` is left (or `timeoutMs`). */
  async killAll(pattern: string, timeoutMs = 10_000): Promise<number[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.killAllSync(pattern);
      const running = [...this.processes.values()].some((managed) => managed.alive());
      const left = processesMentioning(pattern);
      if ((!running && left.length === 0) || Date.now() > deadline) return left;
      await sleep(50);
    }
  }

  tails(lines = 20): string {
    return [...this.processes.values()]
      .map((managed) => `--- ${managed.name} (${managed.logFile}) ---\n${tailFile(managed.logFile, lines)}`)
      .join("\n");
  }
}
