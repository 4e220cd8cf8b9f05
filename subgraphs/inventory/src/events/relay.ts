import { hostname } from "node:os";
import type { StockEvent } from "@emshop/common/events/stock-event";
import type { SqlClient } from "@emshop/db/sql-client";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, headers, type NatsConnection, nanos } from "@nats-io/transport-node";
import type { Logger } from "pino";
import { readFeed } from "./feed";
import type { StockEventMetrics } from "./metrics";
import type { StockEventOptions } from "./options";

/** Movements published per round trip of acks. */
const RELAY_PAGE = 1000;
/** Pages one step relays at most before giving the loop back (it comes straight back while behind). */
const PAGES_PER_STEP = 20;

/**
 * Runs `work` (synchronous) with stack traces off. nats.js builds an Error for
 * every request up front, to have a stack should it time out; capturing it is
 * about 40% of a JetStream publish's CPU (57 → 35 µs per message here), on
 * the same process that serves the sells. A publish that fails still says
 * why in its message; only its stack is lost. Synchronous, so no other code
 * runs while the global setting is changed.
 */
function withoutStackTraces<T>(work: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return work();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * The relay: publishes the change feed to NATS JetStream, in feed order, one
 * message per movement on `<subject>.<goodsId>` with `Nats-Msg-Id` = the event
 * id, and saves its cursor only after the broker acked every message up to it.
 * A relay that dies between publish and save publishes the same messages again
 * from the saved cursor; the broker drops them as duplicates within the
 * stream's duplicate window, and consumers that dedup by event id (the id is
 * in the payload too) count each movement once even beyond it.
 *
 * One replica relays at a time: the one holding the stream's lease row
 * (stock_event_relay), renewed with every cursor save; another replica takes
 * over once a dead one's lease has run out.
 */
export class StockEventRelay {
  private connection: NatsConnection | undefined;
  private connecting: Promise<NatsConnection> | undefined;
  readonly owner = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;

  constructor(
    private readonly sql: SqlClient,
    private readonly identity: string,
    private readonly options: StockEventOptions & { natsUrl: string },
    private readonly metrics: StockEventMetrics,
    private readonly logger: Logger,
  ) {}

  /** True while connected to NATS (reconnecting counts as down). */
  natsUp = false;

  /** Relays what is pending; returns how many messages were published (0 when another replica leads). */
  async step(): Promise<number> {
    let cursor = await this.leaseCursor();
    this.metrics.leader(cursor !== null);
    if (cursor === null) return 0;
    const connection = await this.connect();
    const js = jetstream(connection, { timeout: this.options.publishTimeoutMs });
    let published = 0;
    for (let page = 0; page < PAGES_PER_STEP; page++) {
      const feed = await readFeed(this.sql, this.identity, cursor, RELAY_PAGE);
      // Published together, acked together: the broker stores them in the order they were sent.
      const acks = await Promise.all(
        withoutStackTraces(() =>
          feed.items.map((event) =>
            js.publish(this.subjectOf(event), JSON.stringify(event), this.publishOptions(event)),
          ),
        ),
      );
      published += acks.filter((ack) => !ack.duplicate).length;
      this.metrics.published(feed.items.length, acks.filter((ack) => ack.duplicate).length);
      if (feed.endCursor !== cursor) {
        const renewedAt = performance.now();
        if (!(await this.saveCursor(feed.endCursor))) {
          this.held = undefined;
          return published; // the lease went to another replica
        }
        cursor = feed.endCursor;
        this.held = { cursor, renewedAt };
      }
      if (!feed.hasNextPage) break;
    }
    return published;
  }

  private subjectOf(event: StockEvent) {
    return `${this.options.subject}.${event.goodsId}`;
  }

  private publishOptions(event: StockEvent) {
    const head = headers();
    head.set("Emshop-Cursor", event.cursor);
    return { msgID: event.id, headers: head, timeout: this.options.publishTimeoutMs };
  }

  /**
   * The cursor to relay from while this replica holds the lease, else null.
   * Right after a renewal (every cursor save renews it) the lease is certainly
   * still ours, so the claim, a write, is skipped: under steady load that
   * halves the relay's statements. Skipping is safe either way: a cursor save
   * checks the owner, and a message published twice is dropped by the broker.
   */
  private async leaseCursor(): Promise<string | null> {
    if (this.held && performance.now() - this.held.renewedAt < this.options.leaseMs / 3) return this.held.cursor;
    const renewedAt = performance.now();
    const cursor = await this.claimLease();
    this.held = cursor === null ? undefined : { cursor, renewedAt };
    return cursor;
  }

  /** The saved cursor and when the lease was last renewed (performance.now()), while this replica holds it. */
  private held: { cursor: string; renewedAt: number } | undefined;

  /** Takes or renews the lease; the saved cursor when this replica holds it, else null. */
  private async claimLease(): Promise<string | null> {
    const [row] = await this.sql.query<{ tick: string; movement: string }>(
      `INSERT INTO stock_event_relay (stream, tick_id, movement_id, owner, lease_until)
       SELECT $1, min(id), 9223372036854775807, $2, CURRENT_TIMESTAMP + make_interval(secs => $3::double precision / 1000)
       FROM stock_event_tick
       ON CONFLICT (stream) DO UPDATE SET owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until
       WHERE stock_event_relay.owner = EXCLUDED.owner OR stock_event_relay.lease_until < CURRENT_TIMESTAMP
       RETURNING tick_id::text AS tick, movement_id::text AS movement`,
      [this.options.stream, this.owner, this.options.leaseMs],
    );
    return row ? `${row.tick}.${row.movement}` : null;
  }

  private async saveCursor(cursor: string): Promise<boolean> {
    const [tick, movement] = cursor.split(".");
    const saved = await this.sql.query(
      `UPDATE stock_event_relay
       SET tick_id = $2, movement_id = $3, updated_at = CURRENT_TIMESTAMP,
           lease_until = CURRENT_TIMESTAMP + make_interval(secs => $5::double precision / 1000)
       WHERE stream = $1 AND owner = $4 RETURNING 1`,
      [this.options.stream, tick, movement, this.owner, this.options.leaseMs],
    );
    return saved.length === 1;
  }

  /** One connection, kept: nats.js reconnects by itself; only a closed connection is replaced. */
  private async connect(): Promise<NatsConnection> {
    if (this.connection && !this.connection.isClosed()) return this.connection;
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async open(): Promise<NatsConnection> {
    const connection = await connect({
      servers: this.options.natsUrl.split(",").map((server) => server.trim()),
      name: `emshop-inventory-relay ${this.owner}`,
      timeout: this.options.publishTimeoutMs,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1000,
    });
    try {
      await this.ensureStream(connection);
    } catch (error) {
      await connection.close();
      throw error;
    }
    this.connection = connection;
    this.natsUp = true;
    this.metrics.natsUp(true);
    void this.watch(connection);
    this.logger.info({ stream: this.options.stream }, "stock events: connected to NATS");
    return connection;
  }

  /** Follows the connection's state for readiness and metrics. */
  private async watch(connection: NatsConnection) {
    for await (const status of connection.status()) {
      if (status.type === "disconnect") this.setUp(false);
      else if (status.type === "reconnect") this.setUp(true);
    }
    this.setUp(false);
  }

  private setUp(up: boolean) {
    if (this.natsUp !== up)
      this.logger[up ? "info" : "warn"]({}, up ? "stock events: NATS is back" : "stock events: NATS is down");
    this.natsUp = up;
    this.metrics.natsUp(up);
  }

  /** Creates the stream, or brings its retention and duplicate window to the configured values. */
  private async ensureStream(connection: NatsConnection) {
    const manager = await jetstreamManager(connection, { timeout: this.options.publishTimeoutMs });
    const config = {
      name: this.options.stream,
      subjects: [`${this.options.subject}.>`],
      max_age: nanos(this.options.retentionMs),
      max_bytes: this.options.maxBytes,
      duplicate_window: nanos(this.options.duplicateWindowMs),
    };
    try {
      await manager.streams.info(this.options.stream);
      await manager.streams.update(this.options.stream, config);
    } catch (error) {
      if (!/stream not found/i.test((error as Error).message)) throw error;
      await manager.streams.add(config);
    }
  }

  async close() {
    const connection = this.connection;
    this.connection = undefined;
    if (connection && !connection.isClosed()) await connection.drain().catch(() => connection.close());
    this.natsUp = false;
    this.metrics.natsUp(false);
  }
}
