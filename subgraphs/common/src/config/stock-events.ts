import { z } from "zod";
import type { Setting } from "./settings";
import { text } from "./settings";

/** A JetStream stream or subject token: letters, digits, `-` and `_` (subjects may have dots between tokens). */
function natsName(options: { default: string; description: string; dots: boolean }): Setting<string> {
  const pattern = options.dots ? /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/ : /^[A-Za-z0-9_-]+$/;
  return {
    description: options.description,
    defaultText: options.default,
    schema: z
      .string()
      .trim()
      .regex(pattern, options.dots ? "must be dot-separated tokens of A-Z a-z 0-9 _ -" : "must be A-Z a-z 0-9 _ -")
      .max(100, "must be at most 100 characters")
      .default(options.default),
  };
}

/**
 * Where stock events go (README "Stock events"): read by inventory (the relay
 * publishes) and the gateway (the subscription consumes), so both agree.
 * Without NATS_URL nothing needs NATS: the feed and the subscription work from
 * the database alone.
 */
export const stockEventSettings = {
  NATS_URL: text({
    defaultText: "none (no stream: the change feed and the subscription work from the database)",
    secret: true,
    description:
      "NATS server(s) with JetStream for stock events, e.g. `nats://127.0.0.1:4222` (comma-separated for a cluster)",
  }),
  STOCK_EVENTS_STREAM: natsName({
    default: "INVENTORY",
    dots: false,
    description: "the JetStream stream of stock events (created by inventory's relay when missing)",
  }),
  STOCK_EVENTS_SUBJECT: natsName({
    default: "inventory.stock",
    dots: true,
    description: "subject prefix: each event goes to `<prefix>.<goodsId>`",
  }),
};
