import { AsyncLocalStorage } from "node:async_hooks";
import type { Logger } from "pino";

/** What the request-summary line says about the GraphQL side of a request (set by the log plugin). */
export interface GraphQLSummary {
  operationName?: string;
  operationType?: string;
  outcome: string;
  errorCodes: string[];
  /** Operations the request carried, when it was a batch (../apollo-handler.ts). */
  batch?: number;
}

/** One HTTP request as the logs see it. */
export interface RequestContext {
  /** The request id: the caller's `x-request-id` when sane, else one made here. */
  id: string;
  /** The service's logger; lines logged through it inside the request carry `reqId`. */
  log: Logger;
  graphql?: GraphQLSummary;
  /** The code the HTTP layer answered with when it turned the request away (../http-errors). */
  errorCode?: string;
}

/**
 * The request being served, for code that has no `req` at hand (Apollo
 * plugins, error formatting, the gateway's data source, DataLoader batches):
 * AsyncLocalStorage follows the request through every await and timer, so
 * the id reaches lines logged anywhere below without being threaded through.
 */
const storage = new AsyncLocalStorage<RequestContext>();

export const currentRequest = (): RequestContext | undefined => storage.getStore();

export const runInRequest = <T>(context: RequestContext, work: () => T): T => storage.run(context, work);
