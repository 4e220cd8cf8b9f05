import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { StockEvent } from "@emshop/common/events/stock-event";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";

/** The machine's NATS with JetStream (CI has it; `.ci/ensure-nats.sh` starts it when down). */
export const NATS_URL = process.env.TEST_NATS_URL ?? "nats://127.0.0.1:4222";
export const NATS_SERVER_BINARY = process.env.NATS_SERVER_BINARY ?? "/usr/sbin/nats-server";

/** True when the machine's NATS answers; the tests that need it fail on CI without it, and say so. */
export async function natsReachable(url = NATS_URL): Promise<boolean> {
  try {
    const connection = await connect({ servers: url, timeout: 1000, reconnect: false });
    await connection.close();
    return true;
  } catch {
    return false;
  }
}

export const natsMissingReason = `needs NATS with JetStream at ${NATS_URL} (set TEST_NATS_URL, or start nats-server -js)`;

let streams = 0;
/** A stream and subject of this test's own, so parallel test files never read each other's events. */
export function uniqueStream(label: string) {
  const token = `${label}_${process.pid}_${Date.now().toString(36)}_${streams++}`.replace(/[^A-Za-z0-9_]/g, "_");
  return { stream: `TEST_${token}`.toUpperCase(), subject: `test.${token}` };
}

/** Every message of a stream, in stream order, as stock events (with the broker's sequence). */
export async function readStream(url: string, stream: string): Promise<(StockEvent & { seq: number })[]> {
  const connection = await connect({ servers: url, timeout: 2000 });
  try {
    const manager = await jetstreamManager(connection);
    const total = (await manager.streams.info(stream)).state.messages;
    const events: (StockEvent & { seq: number })[] = [];
    if (total === 0) return events;
    // No name: an ordered, ephemeral consumer from the first message.
    const consumer = await jetstream(connection).consumers.get(stream);
    while (events.length < total) {
      const batch = await consumer.fetch({ max_messages: Math.min(1000, total - events.length), expires: 2000 });
      let got = 0;
      for await (const message of batch) {
        events.push({ ...(message.json() as StockEvent), seq: message.seq });
        got++;
      }
      if (got === 0) throw new Error(`stream ${stream}: read ${events.length} of ${total} messages, then nothing`);
    }
    return events;
  } finally {
    await connection.close();
  }
}

/** How many messages the stream holds (0 when it does not exist yet). */
export async function streamLength(connection: NatsConnection, stream: string): Promise<number> {
  const manager = await jetstreamManager(connection);
  try {
    return (await manager.streams.info(stream)).state.messages;
  } catch (error) {
    if (/stream not found/i.test((error as Error).message)) return 0;
    throw error;
  }
}

export async function deleteStream(url: string, stream: string) {
  const connection = await connect({ servers: url, timeout: 2000 }).catch(() => undefined);
  if (!connection) return;
  try {
    await (await jetstreamManager(connection)).streams.delete(stream).catch(() => undefined);
  } finally {
    await connection.close();
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface OwnNatsServer {
  url: string;
  /** Starts it (again, on the same port and store: what it stored survives a restart). */
  start(): Promise<void>;
  /** SIGKILL: a broker that vanishes, not one that says goodbye. */
  kill(): Promise<void>;
  /** Stops it and removes its store. */
  dispose(): Promise<void>;
}

/**
 * A NATS server of the test's own on a free loopback port, with JetStream and
 * its own store directory, not started yet: the tests take it down and bring
 * it back while the services run, which the machine's shared server must not see.
 */
export async function ownNatsServer(): Promise<OwnNatsServer> {
  const port = await freePort();
  const store = mkdtempSync(join(tmpdir(), "emshop-nats-"));
  const url = `nats://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const kill = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill("SIGKILL");
    await exited;
  };
  return {
    url,
    async start() {
      child = spawn(NATS_SERVER_BINARY, ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", store], {
        stdio: "ignore",
      });
      const deadline = Date.now() + 10_000;
      while (!(await natsReachable(url))) {
        if (Date.now() > deadline) throw new Error(`${NATS_SERVER_BINARY} did not listen on ${port} within 10 s`);
        await sleep(100);
      }
    },
    kill,
    async dispose() {
      await kill();
      rmSync(store, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns true (or throws after `timeoutMs`, naming `what`). */
export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await sleep(100);
  }
}
