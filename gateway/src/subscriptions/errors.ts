import { coded } from "@emshop/common/errors";
import { GraphQLError } from "graphql";

/**
 * The coded errors of the stockChanged subscription (in `extensions.code`),
 * besides BAD_USER_INPUT and CURSOR_EXPIRED (passed on from inventory's feed).
 * Each says what the client should do next.
 */
export const SubscriptionErrorCode = {
  TooManyGoodsIds: "TOO_MANY_GOODS_IDS",
  TooManySubscriptions: "TOO_MANY_SUBSCRIPTIONS",
  ReplayTooLong: "REPLAY_TOO_LONG",
  TooSlow: "SUBSCRIBER_TOO_SLOW",
  Interrupted: "STREAM_INTERRUPTED",
  Unavailable: "SUBGRAPH_UNAVAILABLE",
  ForbiddenOrigin: "FORBIDDEN_ORIGIN",
} as const;

export const tooManyGoodsIds = (count: number, max: number) =>
  coded(SubscriptionErrorCode.TooManyGoodsIds, `goodsIds names ${count} goods; at most ${max} are allowed`, {
    field: "goodsIds",
    max,
  });

export const tooManySubscriptions = (max: number) =>
  coded(
    SubscriptionErrorCode.TooManySubscriptions,
    `this connection has ${max} subscriptions already: complete one first, or open another connection`,
    { max },
  );

export const replayTooLong = (max: number) =>
  coded(
    SubscriptionErrorCode.ReplayTooLong,
    `more than ${max} stock changes are behind after: read the current stock (inventory, goodsList) and subscribe without after`,
    { max },
  );

/** A subscriber whose client does not read fast enough: its queue is dropped rather than grow without bound. */
export const subscriberTooSlow = (max: number) =>
  coded(
    SubscriptionErrorCode.TooSlow,
    `this subscription fell more than ${max} changes behind: subscribe again with after set to the last cursor you received`,
    { max },
  );

/** The live source lost its place (e.g. the gateway could not read the feed for longer than it is retained). */
export const streamInterrupted = () =>
  coded(
    SubscriptionErrorCode.Interrupted,
    "live stock changes were interrupted: subscribe again with after set to the last cursor you received",
  );

/** `cause` (for the log, never sent) says what went wrong. */
export const feedUnavailable = (cause?: unknown) =>
  new GraphQLError(
    "live stock changes are not available now (the gateway cannot read inventory's change feed): retry shortly",
    {
      extensions: { code: SubscriptionErrorCode.Unavailable },
      ...(cause instanceof Error ? { originalError: cause } : {}),
    },
  );
