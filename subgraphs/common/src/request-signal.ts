import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * The header in which a caller says how long it will wait for the answer, in
 * milliseconds (the gateway sends its per-fetch timeout). Relative, like
 * gRPC's `grpc-timeout`, so the two hosts' clocks need not agree.
 */
export const TIMEOUT_HEADER = "x-request-timeout-ms";
/** Longest deadline honoured (an hour); a larger or malformed value is ignored, not refused. */
const MAX_TIMEOUT_MS = 3_600_000;

export function parseTimeoutHeader(value: string | string[] | undefined): number | undefined {
  if (typeof value !== "string" || !/^\d{1,7}$/.test(value)) return undefined;
  const ms = Number(value);
  return ms >= 1 && ms <= MAX_TIMEOUT_MS ? ms : undefined;
}

/**
 * A signal that aborts when nobody waits for this request's answer any more:
 * the caller closed the connection before the answer was sent, or its
 * deadline (TIMEOUT_HEADER) passed. Work still to be done for it is wasted;
 * the request guard stops starting new fields once it fires.
 */
export function requestSignal(req: IncomingMessage, res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  const timeoutMs = parseTimeoutHeader(req.headers[TIMEOUT_HEADER]);
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(
          () => controller.abort(new Error(`the caller's deadline of ${timeoutMs} ms passed`)),
          timeoutMs,
        ).unref();
  res.once("close", () => {
    clearTimeout(timer);
    if (!res.writableFinished) controller.abort(new Error("the caller closed the connection"));
  });
  return controller.signal;
}
