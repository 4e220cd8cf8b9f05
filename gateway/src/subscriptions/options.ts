/** How the gateway signs in to inventory's change feed (`stockChanges` needs scope stock:audit). */
export type FeedCredential =
  /** Mints its own short-lived HS256 token for role `gateway`, with the subgraphs' shared secret. */
  | { kind: "mint"; secret: string; issuer: string; audience: string }
  /** A token issued elsewhere (e.g. by the identity provider when the subgraphs verify RS256/JWKS). */
  | { kind: "token"; token: string };

/** The JetStream stream the inventory relay publishes to (README "Stock events"). */
export interface NatsSourceOptions {
  /** Comma-separated servers. */
  url: string;
  stream: string;
  /** Subject prefix: events are on `<subject>.<goodsId>`. */
  subject: string;
}

/** The stockChanged subscription of one gateway process (from the validated configuration, or set by tests). */
export interface SubscriptionOptions {
  /** Where inventory's change feed is read (replays, and live events without NATS): its GraphQL URL. */
  feedUrl: string;
  credential: FeedCredential;
  /** Live events from JetStream; without, from polling the feed. */
  nats?: NatsSourceOptions;
  /** How often the feed is polled for live events when there is no NATS (ms). */
  pollIntervalMs: number;
  /** Most goods ids one subscription may name. */
  maxGoodsIds: number;
  /** Most subscriptions at a time on one WebSocket connection. */
  maxPerConnection: number;
  /** Most changes a resume (`after`) may replay; also how far a slow subscriber may fall behind. */
  maxReplay: number;
  /** Origins a browser may subscribe from (the gateway's CORS origins; `*`: any). */
  corsOrigins: string[];
  /** Largest message (WebSocket) or body (SSE) accepted, in bytes. */
  maxMessageBytes: number;
  /** Lexical tokens per subscription document (as MAX_TOKENS for queries). */
  maxTokens: number;
}

export const DEFAULT_SUBSCRIPTION_LIMITS = {
  pollIntervalMs: 200,
  maxGoodsIds: 100,
  maxPerConnection: 10,
  maxReplay: 10_000,
};
