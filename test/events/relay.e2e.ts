import { execFile } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { createMetricsRegistry } from "@emshop/common/metrics/registry";
import { repoRoot } from "@emshop/db/paths";
import type { SqlClient } from "@emshop/db/sql-client";
import { databaseIdentity } from "@emshop/inventory/events/feed";
import { stockEventMetrics } from "@emshop/inventory/events/metrics";
import { DEFAULT_STOCK_EVENTS, type StockEventOptions } from "@emshop/inventory/events/options";
import { StockEventRelay } from "@emshop/inventory/events/relay";
import { takeTick } from "@emshop/inventory/events/ticker";
import { connect } from "@nats-io/transport-node";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codes, type InventorySubgraph, startInventorySubgraph } from "../inventory/support/inventory-subgraph";
import { ops } from "../inventory/support/operations";
import { sampleValue } from "./support/exposition";
import {
  deleteStream,
  eventually,
  NATS_URL,
  natsMissingReason,
  natsReachable,
  readStream,
  streamLength,
  uniqueStream,
} from "./support/nats";
import { stockEventSchemaErrors } from "./support/stock-event-schema";

/*
 * The relay in process against the machine's NATS JetStream, on PGlite or
 * PostgreSQL: what reaches the stream is exactly the ledger, in order per
 * goods, and a relay that dies between the broker's acks and its cursor save
 * duplicates nothing a consumer counts.
 */
const natsUp = await natsReachable();
if (!natsUp && !process.env.CI) console.warn(`relay e2e skipped: ${natsMissingReason}`);

const item = (goodsId: number, num: number) => ({ goodsId: String(goodsId), num });
const execFileAsync = promisify(execFile);
const silent = pino({ level: "silent" });

/** The ledger's movement ids as event ids (`<identity>:<id>`), in id order. */
async function ledgerIds(sql: SqlClient): Promise<string[]> {
  const identity = await databaseIdentity(sql);
  const rows = await sql.query<{ id: string }>("SELECT m.id::text AS id FROM stock_movement m ORDER BY m.id");
  return rows.map((row) => `${identity}:${row.id}`);
}

function relayFor(sql: SqlClient, identity: string, options: StockEventOptions) {
  const registry = createMetricsRegistry();
  const metrics = stockEventMetrics(registry, sql, { ...options, relaying: true });
  return {
    relay: new StockEventRelay(sql, identity, { ...options, natsUrl: NATS_URL }, metrics, silent),
    registry,
  };
}

/** A counter's value for one label set (0 before its first increment). */
async function metricValue(registry: ReturnType<typeof createMetricsRegistry>, sample: string) {
  return sampleValue(await registry.metrics(), sample) ?? 0;
}

/** Ticks and relays until the relay publishes nothing more. */
async function drain(sql: SqlClient, relay: StockEventRelay) {
  for (let round = 0; round < 50; round++) {
    await takeTick(sql);
    if ((await relay.step()) === 0 && round > 0) return;
  }
}

describe.runIf(natsUp || process.env.CI)("the stock event relay → NATS JetStream", () => {
  if (!natsUp) {
    it("needs NATS on CI", () => expect.fail(natsMissingReason));
    return;
  }
  let inventory: InventorySubgraph;
  const streams: string[] = [];
  const options = (label: string, overrides: Partial<StockEventOptions> = {}): StockEventOptions => {
    const names = uniqueStream(label);
    streams.push(names.stream);
    return { ...DEFAULT_STOCK_EVENTS, ...names, ...overrides };
  };
  beforeAll(async () => {
    inventory = await startInventorySubgraph("relay", [5, 5, 5, 0]);
  });
  afterAll(async () => {
    await Promise.all(streams.map((stream) => deleteStream(NATS_URL, stream)));
    await inventory?.close();
  });

  it("publishes exactly the ledger, in feed order per goods, and never a refused or rolled-back change", async () => {
    const { sql } = inventory.db;
    const identity = await databaseIdentity(sql);
    await inventory.ok(ops.sellStock, { orderSn: "r-1", items: [item(1, 2), item(2, 1)] });
    expect(codes(await inventory.run(ops.sellStock, { orderSn: "r-short", items: [item(3, 1), item(4, 1)] }))).toEqual([
      "INSUFFICIENT_STOCK",
    ]);
    expect(
      codes(await inventory.run(ops.setStock, { goodsId: "3", stocks: 1, expectedVersion: 99, requestId: "r-cas" })),
    ).toEqual(["VERSION_CONFLICT"]);
    await inventory.ok(ops.adjustStock, { goodsId: "4", delta: 3, reason: "delivery", requestId: "r-adj" });
    await inventory.ok(ops.rebackStock, { orderSn: "r-1" });

    const settings = options("exact");
    const { relay } = relayFor(sql, identity, settings);
    try {
      await drain(sql, relay);
    } finally {
      await relay.close();
    }
    const stream = await readStream(NATS_URL, settings.stream);
    expect(stream.map((event) => event.id)).toEqual(await ledgerIds(sql));
    // Every payload as docs/schemas/stock-event.v1.json documents it.
    expect(stream.flatMap(({ seq: _seq, ...payload }) => stockEventSchemaErrors(payload))).toEqual([]);
    expect(stockEventSchemaErrors({ ...stream[0], seq: undefined, goodsId: "1" })).not.toEqual([]);
    expect(stream.map((event) => event.orderSn)).not.toContain("r-short");
    expect(stream.filter((event) => event.goodsId === 4).map((event) => [event.kind, event.events])).toEqual([
      ["IMPORT", ["STOCK_CHANGED"]],
      ["ADJUST", ["STOCK_CHANGED", "BACK_IN_STOCK"]],
    ]);
    // Per goods, each event starts where the one before it ended.
    for (const goodsId of [1, 2, 3, 4]) {
      const chain = stream.filter((event) => event.goodsId === goodsId);
      for (let i = 1; i < chain.length; i++) expect(chain[i]?.stocksBefore).toBe(chain[i - 1]?.stocks);
    }
  });

  it.each([
    { window: "inside the broker's duplicate window", duplicateWindowMs: 120_000, waitMs: 0 },
    { window: "beyond it (100 ms)", duplicateWindowMs: 100, waitMs: 400 },
  ])(
    "a relay that dies between the acks and its cursor save: $window, a consumer deduping by id counts exactly the ledger",
    async ({ duplicateWindowMs, waitMs }) => {
      const { sql } = inventory.db;
      const identity = await databaseIdentity(sql);
      await inventory.ok(ops.adjustStock, {
        goodsId: "1",
        delta: 1,
        reason: "crash test",
        requestId: `r-crash-${duplicateWindowMs}`,
      });
      const settings = options("crash", { duplicateWindowMs, leaseMs: 300 });
      // The first relay's cursor save never returns: it "dies" right after the broker acked its messages.
      const hanging: SqlClient = {
        ...sql,
        query: (text, params) =>
          /^\s*UPDATE stock_event_relay/.test(text) ? new Promise(() => undefined) : sql.query(text, params),
      };
      const dying = relayFor(hanging, identity, settings);
      await takeTick(sql);
      void dying.relay.step();
      const ledger = await ledgerIds(sql);
      const connection = await connect({ servers: NATS_URL });
      try {
        await eventually("the dying relay's messages are acked", async () => {
          return (await streamLength(connection, settings.stream)) === ledger.length;
        });
      } finally {
        await connection.close();
      }
      await dying.relay.close();
      // The next relay takes over once the dead one's lease ran out, from the cursor saved before: all again.
      await sleep(Math.max(waitMs, settings.leaseMs + 200));
      const next = relayFor(sql, identity, settings);
      await drain(sql, next.relay);
      const duplicates = await metricValue(next.registry, 'stock_events_published_total{result="duplicate"}');
      const stored = await metricValue(next.registry, 'stock_events_published_total{result="stored"}');
      await next.relay.close();

      const stream = await readStream(NATS_URL, settings.stream);
      const deduped = [...new Set(stream.map((event) => event.id))];
      expect(deduped).toEqual(ledger);
      if (duplicateWindowMs > waitMs) {
        // The broker dropped every repeat: the stream itself holds each movement once.
        expect(stream).toHaveLength(ledger.length);
        expect(duplicates).toBe(ledger.length);
        expect(stored).toBe(0);
      } else {
        // Past the window the broker stores the repeats; only the consumer's dedup by id makes it exact.
        expect(stream).toHaveLength(2 * ledger.length);
        expect(stored).toBe(ledger.length);
        // The consumer example does exactly that: every event once, the repeats counted and dropped.
        const tail = await execFileAsync(
          process.execPath,
          ["--import", "tsx", "subgraphs/inventory/src/events/tail-cli.ts", "--drain", "--json"],
          {
            cwd: repoRoot,
            env: {
              ...process.env,
              NATS_URL,
              STOCK_EVENTS_STREAM: settings.stream,
              STOCK_EVENTS_SUBJECT: settings.subject,
            },
            timeout: 30_000,
          },
        );
        const printed = tail.stdout
          .trim()
          .split("\n")
          .map((line) => (JSON.parse(line) as { id: string }).id);
        expect(printed).toEqual(ledger);
        expect(tail.stderr).toContain(`${ledger.length} events, ${ledger.length} duplicates dropped`);
      }
    },
  );
});
