import type { ApolloServerPlugin, BaseContext, GraphQLRequestContextWillSendResponse } from "@apollo/server";
import type { GraphQLFormattedError } from "graphql";
import { Kind } from "graphql";
import { Counter, DURATION_BUCKETS, Histogram, metricOf, type Registry } from "./registry";

/**
 * The operation names that get their own label value: those of the known
 * clients' operations (test/operations/*.graphql, kept equal to them by
 * test/metrics/allowlist.test.ts). Any other name is "other", an operation
 * without a name "anonymous": a label value never comes from what a caller
 * typed, so a client cannot create series at will.
 */
export const KNOWN_OPERATIONS: readonly string[] = [
  "AdminAdjustStock",
  "AdminBatchSetStocks",
  "AdminCreateGoods",
  "AdminDeleteCategory",
  "AdminInventory",
  "AdminInventoryHolds",
  "AdminSetStock",
  "AdminUpdateGoodsStatus",
  "OrderConfirmHold",
  "OrderHoldStock",
  "OrderRebackStock",
  "OrderReleaseHold",
  "OrderSellStock",
  "OrderStockHold",
  "OrderStockSell",
  "StockChanges",
  "StockMovements",
  "StorefrontBanners",
  "StorefrontBrands",
  "StorefrontCategories",
  "StorefrontGoodsDetail",
  "StorefrontGoodsList",
  "StorefrontInventory",
];

/** The `extensions.code` values this repository (and Apollo Server) sends; any other is counted as "OTHER". */
export const KNOWN_ERROR_CODES: readonly string[] = [
  // Apollo Server
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_USER_INPUT",
  "BAD_REQUEST",
  "OPERATION_RESOLUTION_FAILURE",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "INTERNAL_SERVER_ERROR",
  // ../errors.ts, ../auth, ../limits, ../request-guard.ts
  "NOT_FOUND",
  "CONFLICT",
  "IN_USE",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "QUERY_TOO_DEEP",
  "TOO_MANY_ALIASES",
  "TOO_MANY_DIRECTIVES",
  "QUERY_TOO_LARGE",
  "QUERY_TOO_COMPLEX",
  "TOO_MANY_MUTATIONS",
  "PAYLOAD_TOO_LARGE",
  "BATCH_TOO_LARGE",
  "REQUEST_ABANDONED",
  "DATABASE_UNAVAILABLE",
  // the gateway
  "SUBGRAPH_UNAVAILABLE",
  "SUBGRAPH_BAD_RESPONSE",
  // inventory
  "VERSION_CONFLICT",
  "INSUFFICIENT_STOCK",
  "ORDER_CANCELLED",
  "ORDER_CONFLICT",
  "IDEMPOTENCY_CONFLICT",
  "HOLD_EXPIRED",
  "HOLD_NOT_FOUND",
  "HOLD_RELEASED",
  "BELOW_HELD",
  // stock events
  "CURSOR_EXPIRED",
];

const operations = new Set(KNOWN_OPERATIONS);
const codes = new Set(KNOWN_ERROR_CODES);

/** The label value for an operation name: itself if known, else "other"; "anonymous" for none. */
export const operationLabel = (name: string | null | undefined): string =>
  name ? (operations.has(name) ? name : "other") : "anonymous";

/** The label value for an error code: itself if known, else "OTHER". */
export const errorCodeLabel = (code: unknown): string => (typeof code === "string" && codes.has(code) ? code : "OTHER");

export type GraphQLOutcome = "ok" | "error" | "refused";

/** ok: no errors; error: errors beside (possibly null) data; refused: a request error, no data at all. */
export function outcomeOf(result: { data?: unknown; errors?: readonly GraphQLFormattedError[] }): GraphQLOutcome {
  if (!result.errors?.length) return "ok";
  return result.data === undefined ? "refused" : "error";
}

/** The name the request's operation goes by: resolved, asked for, or the document's only one (known after parsing). */
export function operationNameOf<Context extends BaseContext>(
  context: GraphQLRequestContextWillSendResponse<Context>,
): string | undefined {
  if (context.operationName) return context.operationName;
  if (context.request.operationName) return context.request.operationName;
  const defined = context.document?.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  return defined?.length === 1 && defined[0]?.kind === Kind.OPERATION_DEFINITION ? defined[0].name?.value : undefined;
}

function graphqlMetrics(registry: Registry) {
  const labelNames = ["service", "operation", "outcome"] as const;
  return {
    requests: metricOf(
      registry,
      "graphql_requests_total",
      () =>
        new Counter({
          name: "graphql_requests_total",
          help: "GraphQL requests answered, by operation (known names only) and outcome (ok, error, refused)",
          labelNames,
          registers: [registry],
        }),
    ),
    duration: metricOf(
      registry,
      "graphql_request_duration_seconds",
      () =>
        new Histogram({
          name: "graphql_request_duration_seconds",
          help: "Time from receiving a GraphQL request to sending its answer",
          labelNames,
          buckets: DURATION_BUCKETS,
          registers: [registry],
        }),
    ),
    errors: metricOf(
      registry,
      "graphql_errors_total",
      () =>
        new Counter({
          name: "graphql_errors_total",
          help: "Errors in GraphQL answers, by extensions.code (unknown codes as OTHER)",
          labelNames: ["service", "code"] as const,
          registers: [registry],
        }),
    ),
  };
}

/** Counts and times every GraphQL request of `service` into `registry`. */
export function graphqlMetricsPlugin<Context extends BaseContext>(
  service: string,
  registry: Registry,
): ApolloServerPlugin<Context> {
  const metrics = graphqlMetrics(registry);
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse(context) {
          const { body } = context.response;
          const result = body.kind === "single" ? body.singleResult : body.initialResult;
          const outcome = outcomeOf(result);
          const labels = {
            service,
            operation: operationLabel(operationNameOf(context)),
            outcome,
          };
          metrics.requests.inc(labels);
          metrics.duration.observe(labels, (performance.now() - started) / 1000);
          for (const error of result.errors ?? [])
            metrics.errors.inc({ service, code: errorCodeLabel(error.extensions?.code) });
        },
      };
    },
  };
}
