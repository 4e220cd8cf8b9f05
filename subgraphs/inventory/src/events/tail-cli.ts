/**
 * `npm run events:tail -- [--goods 42] [--all | --drain] [--count N] [--json]`: a consumer of the
 * stock events stream, as a search indexer or a back-in-stock mailer would
 * write one (README "Stock events"). It reads `<subject>.<goodsId>` (or every
 * goods) through an ordered JetStream consumer, prints one line per event and
 * drops repeats by event id: the broker delivers at least once (a relay that
 * died between publish and cursor save publishes again; within the stream's
 * duplicate window JetStream drops those, beyond it only the consumer can),
 * so counting by id is what makes it exactly once.
 *
 * Reads NATS_URL, STOCK_EVENTS_STREAM and STOCK_EVENTS_SUBJECT like the services.
 * It lives with inventory because that workspace already depends on the NATS client.
 */
import { parseArgs } from "node:util";
import type { StockEvent } from "@emshop/common/events/stock-event";
import { DeliverPolicy, jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";

/** Ids remembered for dedup; a repeat older than this many events would pass (far beyond any duplicate window). */
const REMEMBERED_IDS = 100_000;

const { values } = parseArgs({
  options: {
    goods: { type: "string" },
    all: { type: "boolean", default: false },
    // Everything stored so far, then exit (a check, a backfill).
    drain: { type: "boolean", default: false },
    count: { type: "string" },
    json: { type: "boolean", default: false },
  },
});
const goods = values.goods;
if (goods !== undefined && !/^[1-9]\d{0,9}$/.test(goods)) {
  console.error(`--goods must be a goods id (a positive integer), not ${JSON.stringify(goods)}`);
  process.exit(2);
}
const limit = values.count === undefined ? Number.POSITIVE_INFINITY : Number(values.count);
if (!(limit > 0)) {
  console.error("--count must be a positive number");
  process.exit(2);
}
const natsUrl = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const stream = process.env.STOCK_EVENTS_STREAM ?? "INVENTORY";
const fromStart = values.all || values.drain;
const subject = `${process.env.STOCK_EVENTS_SUBJECT ?? "inventory.stock"}.${goods ?? ">"}`;

const connection = await connect({ servers: natsUrl.split(","), name: "emshop events:tail" }).catch((error) => {
  console.error(`cannot reach NATS at ${natsUrl}: ${(error as Error).message}`);
  process.exit(1);
});
const consumer = await jetstream(connection)
  .consumers.get(stream, {
    filter_subjects: subject, // one subject: NATS 2.9 (this machine's) has no multi-filter consumers
    deliver_policy: fromStart ? DeliverPolicy.All : DeliverPolicy.New,
  })
  .catch((error) => {
    console.error(`cannot read stream ${stream}: ${(error as Error).message} (has inventory's relay created it yet?)`);
    process.exit(1);
  });
console.error(`tailing ${subject} on ${stream} at ${natsUrl} (${fromStart ? "from the start" : "new events"})`);

const seen = new Set<string>();
let delivered = 0;
let duplicates = 0;
const messages = await consumer.consume();
const stop = () => {
  console.error(`${delivered} events, ${duplicates} duplicates dropped`);
  void messages.close().then(() => connection.close());
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
for await (const message of messages) {
  const event = message.json<StockEvent>();
  const caughtUp = values.drain && message.info.pending === 0;
  if (seen.has(event.id)) {
    duplicates++;
    console.error(`duplicate dropped: ${event.id} (stream seq ${message.seq})`);
    if (caughtUp) {
      stop();
      break;
    }
    continue;
  }
  seen.add(event.id);
  if (seen.size > REMEMBERED_IDS) seen.delete(seen.values().next().value as string);
  delivered++;
  console.log(
    values.json
      ? JSON.stringify(event)
      : `${event.occurredAt} goods ${event.goodsId} ${event.kind} ${event.stocksBefore} → ${event.stocks} ` +
          `${event.stockStatus} [${event.events.join(" ")}]${event.orderSn ? ` order ${event.orderSn}` : ""} ` +
          `cursor ${event.cursor} id ${event.id}`,
  );
  if (delivered >= limit || caughtUp) {
    stop();
    break;
  }
}
