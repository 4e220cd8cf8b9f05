/** How inventory runs its stock events (README "Stock events"); set from the validated configuration. */
export interface StockEventOptions {
  /** How often a replica looks for newly committed movements to tick (ms). */
  tickIntervalMs: number;
  /** How far back the feed reaches, and how long the stream keeps messages (ms). */
  retentionMs: number;
  /** The stream's size bound in bytes (-1: none; the oldest messages go first). */
  maxBytes: number;
  /** The broker drops a message whose id it saw this recently (ms). */
  duplicateWindowMs: number;
  /** The relay's lease: a replica that stops renewing it is replaced after this long (ms). */
  leaseMs: number;
  /** Waiting for one publish acknowledgement, and for NATS to connect (ms). */
  publishTimeoutMs: number;
  /** The relay lag the alert fires at (s), exported as a gauge next to the lag. */
  lagAlertSeconds: number;
  /** NATS server(s); without, nothing is published (the feed works from the database alone). */
  natsUrl?: string;
  stream: string;
  /** Subject prefix: events go to `<subject>.<goodsId>`. */
  subject: string;
}

export const DEFAULT_STOCK_EVENTS: StockEventOptions = {
  tickIntervalMs: 200,
  retentionMs: 7 * 24 * 3_600_000,
  maxBytes: 1024 * 1024 * 1024,
  duplicateWindowMs: 120_000,
  leaseMs: 5_000,
  publishTimeoutMs: 2_000,
  lagAlertSeconds: 30,
  stream: "INVENTORY",
  subject: "inventory.stock",
};
