import { setTimeout as sleep } from "node:timers/promises";
import { type ConsumerMessages, DeliverPolicy, jetstream } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";
import { streamInterrupted } from "./errors";
import type { HubSink, LiveSource } from "./hub";
import { liveEventOf } from "./live-event";
import type { NatsSourceOptions } from "./options";

/** Between attempts to connect or to find the stream. */
const RETRY_MS = 1000;
const CONNECT_TIMEOUT_MS = 2000;

/**
 * The live source with NATS: one ordered JetStream consumer per gateway
 * process on `<subject>.>`, from the messages published after it is created
 * (what came before is the replay's, read from the feed). Ordered consumers
 * recreate themselves at the next sequence after a reconnect, so a NATS
 * outage delays events (the relay catches up from its saved cursor) and loses
 * none. A stream that does not exist yet is created by inventory's relay;
 * everything it then holds is newer than this gateway's first look, so the
 * consumer reads it from its start.
 */
export function startJetStreamSource(options: NatsSourceOptions, sink: HubSink, logger: Logger): LiveSource {
  let stopped = false;
  let connection: NatsConnection | undefined;
  let messages: ConsumerMessages | undefined;
  let lastFailure = "";
  const fail = (error: unknown, what: string) => {
    const message = (error as Error).message;
    if (message !== lastFailure) logger.warn({ err: error, stream: options.stream }, `stockChanged: ${what}; retrying`);
    lastFailure = message;
  };

  const run = async () => {
    let deliver: DeliverPolicy = DeliverPolicy.New;
    let wasLive = false;
    while (!stopped) {
      try {
        connection ??= await connect({
          servers: options.url.split(",").map((server) => server.trim()),
          name: "emshop-gateway-subscriptions",
          timeout: CONNECT_TIMEOUT_MS,
          maxReconnectAttempts: -1,
          reconnectTimeWait: RETRY_MS,
        });
        if (stopped) break;
        // One filter as a string: nats.js sends it as `filter_subject`, which servers before 2.10 take too.
        const consumer = await jetstream(connection)
          .consumers.get(options.stream, { filter_subjects: `${options.subject}.>`, deliver_policy: deliver })
          .catch((error: unknown) => {
            if (/stream not found/i.test((error as Error).message)) deliver = DeliverPolicy.All;
            throw error;
          });
        messages = await consumer.consume();
        if (stopped) break;
        logger.info({ stream: options.stream }, "stockChanged: consuming the stock event stream");
        lastFailure = "";
        wasLive = true;
        sink.goLive();
        for await (const message of messages) {
          const event = liveEventOf(message.json());
          if (event) sink.publish(event);
          else logger.warn({ subject: message.subject, seq: message.seq }, "stockChanged: not a stock event; skipped");
        }
        if (stopped) break;
        // The consumer ended by itself (e.g. the stream was deleted): what it missed cannot be known.
        throw new Error("the stream's consumer ended");
      } catch (error) {
        if (stopped) break;
        if (wasLive) {
          sink.interrupt(streamInterrupted());
          wasLive = false;
          deliver = DeliverPolicy.New;
        }
        fail(error, "cannot consume the stock event stream");
        if (connection?.isClosed()) connection = undefined;
        await sleep(RETRY_MS);
      }
    }
  };
  const running = run();
  return {
    async stop() {
      stopped = true;
      await messages?.close();
      const open = connection;
      if (open && !open.isClosed()) await open.close();
      await running;
    },
  };
}
