import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { ApolloServer, ApolloServerPlugin, BaseContext, ContextFunction } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import bodyParser from "body-parser";
import type { Logger } from "pino";
import { apolloHandler, type HttpContextArgument } from "./apollo-handler";
import { corsFor, graphqlMethods, jsonErrors, notFound } from "./http-errors";
import { type HttpRequest, type Middleware, pathOf, runSteps, sendBody, sendJson } from "./http-pipeline";
import { graphqlLogPlugin } from "./logging/graphql-log-plugin";
import { createLogger } from "./logging/logger";
import { runInRequest } from "./logging/request-context";
import { beginRequest, requestContextOf } from "./logging/request-log";
import { createMetricsRegistry, type Registry } from "./metrics/registry";

/** How a service stops: readiness turns 503 for `delayMs`, then in-flight requests get `timeoutMs` to finish. */
export interface ShutdownOptions {
  delayMs: number;
  timeoutMs: number;
}

/** Extra fields for the /health/ready body (e.g. the gateway's per-subgraph states); `status` and `service` stay ours. */
export type ReadinessDetails = Record<string, unknown>;

/**
 * Thrown by `readiness` for a 503 whose body still says why, in words meant
 * for whoever probes (no host names or driver messages: those go to the log
 * as the error's message).
 */
export class NotReadyError extends Error {
  constructor(
    message: string,
    readonly details: ReadinessDetails = {},
  ) {
    super(message);
  }
}

/** What `startHttpService` needs: how to build the Apollo server, its per-request context, and readiness. */
export interface HttpServiceOptions<Context extends BaseContext> {
  name: string;
  /** Builds the (not started) Apollo server; `plugins` must be added to its own (they drain the HTTP server). */
  createApollo: (plugins: ApolloServerPlugin<Context>[]) => ApolloServer<Context>;
  context: ContextFunction<[HttpContextArgument], Context>;
  /**
   * Throws when the service cannot serve (e.g. its database is unreachable);
   * may return details merged into the 200 body (a NotReadyError's go into the 503's).
   */
  readiness: () => Promise<ReadinessDetails | undefined> | Promise<void>;
  port: number;
  host?: string;
  shutdown?: Partial<ShutdownOptions>;
  /** Where the service logs (default: a new logger for `name` on stdout). */
  logger?: Logger;
  /** Largest request body accepted (default 100 kB). */
  maxBodyBytes?: number;
  /** Most operations one batched request may carry (default 0: arrays are refused; see ./batch-protocol.ts). */
  maxBatchOperations?: number;
  /** Origins a browser may call from (default none: no CORS headers). */
  corsOrigins?: string[];
  /** This service's metrics, served at /metrics (default: a new registry with the process metrics only). */
  metrics?: Registry;
  /**
   * More endpoints on the same port (the gateway's subscription transports):
   * called once with the HTTP server before it listens, e.g. to take WebSocket
   * upgrades. See ServiceExtension.
   */
  extend?: (httpServer: Server) => ServiceExtension;
}

/** What `extend` adds to a service. */
export interface ServiceExtension {
  /** Path → handler, served behind the same CORS, method and body steps as /graphql (`req.body` is parsed JSON). */
  routes?: Record<string, (req: HttpRequest, res: ServerResponse) => void>;
  /**
   * Runs on stop after the drain delay, before in-flight requests are waited
   * for: long-lived streams (WebSockets, event streams) would otherwise hold
   * the drain until its timeout.
   */
  close?: () => Promise<void>;
}

export interface RunningService {
  url: string;
  logger: Logger;
  port: number;
  httpServer: Server;
  /** The registry /metrics serves. */
  metrics: Registry;
  /** Drains: readiness 503, listener closed, in-flight requests finish (bounded), then resolves. */
  stop(): Promise<void>;
}

/** `{ status, service, ...details }`: details add fields but cannot replace those two. */
function withStatus(status: string, service: string, details?: ReadinessDetails) {
  return Object.assign({ status, service }, details, { status, service });
}

/**
 * Serves GraphQL at /graphql plus the health endpoints orchestrators probe:
 * /health/live (the process answers) and /health/ready (it can reach its
 * dependencies and is not shutting down), and /metrics (Prometheus text
 * format) for the scraper. Port 0 picks a free port, which the tests rely on.
 */
export async function startHttpService<Context extends BaseContext>(
  options: HttpServiceOptions<Context>,
): Promise<RunningService> {
  const logger = options.logger ?? createLogger({ service: options.name });
  const shutdown: ShutdownOptions = { delayMs: 0, timeoutMs: 10_000, ...options.shutdown };
  const metrics = options.metrics ?? createMetricsRegistry();
  let draining = false;

  const ready = async (res: ServerResponse) => {
    if (draining) return sendJson(res, 503, { status: "draining", service: options.name });
    try {
      const details = await options.readiness();
      sendJson(res, 200, withStatus("ready", options.name, typeof details === "object" ? details : undefined));
    } catch (error) {
      // The details (host names, driver messages) are for the operator's log, not for whoever asks.
      logger.warn({ reason: (error as Error).message }, "not ready");
      const details = error instanceof NotReadyError ? error.details : undefined;
      sendJson(res, 503, withStatus("unavailable", options.name, details));
    }
  };
  const scrape = async (res: ServerResponse) => {
    try {
      sendBody(res, 200, metrics.contentType, await metrics.metrics());
    } catch (error) {
      logger.error({ err: error }, "metrics failed");
      sendJson(res, 500, { status: "error", service: options.name });
    }
  };

  let graphql: ((req: HttpRequest, res: ServerResponse) => void) | undefined;
  const fail = jsonErrors(logger);
  // Extra routes run through the same steps as /graphql (set with them, below).
  let extraRoute: ((req: HttpRequest, res: ServerResponse, path: string) => boolean) | undefined;
  const httpServer = createServer((req: HttpRequest, res) => {
    const context = beginRequest(logger, req, res);
    runInRequest(context, () => {
      const path = pathOf(req.url);
      const read = req.method === "GET" || req.method === "HEAD";
      // `graphql` is set before the server listens (it needs Apollo, whose drain plugin needs the server).
      if (path === "/graphql" || path === "/graphql/") graphql?.(req, res);
      else if (read && path === "/health/live") sendJson(res, 200, { status: "ok", service: options.name });
      else if (read && path === "/health/ready") void ready(res);
      else if (read && path === "/metrics") void scrape(res);
      else if (!extraRoute?.(req, res, path)) notFound(req, res);
    });
  });

  const extension = options.extend?.(httpServer) ?? {};

  // Apollo's drain plugin closes the listener, ends idle keep-alive connections,
  // lets in-flight requests finish and cuts what is left after the grace period.
  const apollo = options.createApollo([
    ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: shutdown.timeoutMs }),
    graphqlLogPlugin<Context>(),
  ]);
  await apollo.start().catch(async (error: unknown) => {
    await extension.close?.();
    throw error;
  });
  const cors = corsFor(options.corsOrigins ?? []);
  const steps: Middleware[] = [
    ...(cors ? [cors] : []),
    graphqlMethods,
    bodyParser.json({ limit: options.maxBodyBytes ?? 100_000 }),
  ];
  const answer = apolloHandler(apollo, options.context, { maxBatchOperations: options.maxBatchOperations ?? 0 });
  const routes = new Map(Object.entries(extension.routes ?? {}));
  extraRoute = (req, res, path) => {
    const route = routes.get(path);
    if (!route) return false;
    const context = requestContextOf(res);
    const run = () => route(req, res);
    runSteps(
      steps,
      req,
      res,
      () => (context ? runInRequest(context, run) : run()),
      (error) => fail(error, req, res),
    );
    return true;
  };
  graphql = (req, res) => {
    const context = requestContextOf(res);
    runSteps(
      steps,
      req,
      res,
      // body-parser resumes from the socket's 'end' event, whose async context is the
      // connection's, not the request's: GraphQL execution runs in the request's again.
      () => {
        const run = () => answer(req, res).catch((error: unknown) => fail(error, req, res));
        void (context ? runInRequest(context, run) : run());
      },
      (error) => fail(error, req, res),
    );
  };

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(options.port, options.host ?? "127.0.0.1", resolve);
  }).catch(async (error: unknown) => {
    // What `extend` started (e.g. the gateway's event source) must not outlive a service that never listened.
    await extension.close?.();
    throw error;
  });
  const { port } = httpServer.address() as AddressInfo;
  let stopped: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    port,
    httpServer,
    metrics,
    logger,
    stop() {
      stopped ??= (async () => {
        draining = true;
        if (shutdown.delayMs > 0) await sleep(shutdown.delayMs);
        // A failing extension must not keep the rest from draining.
        await extension
          .close?.()
          .catch((error: unknown) => logger.error({ err: error }, "stopping an extension failed"));
        await apollo.stop();
      })();
      return stopped;
    },
  };
}
