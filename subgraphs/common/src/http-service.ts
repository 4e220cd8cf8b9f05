import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { ApolloServer, ApolloServerPlugin, BaseContext, ContextFunction } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { type ExpressContextFunctionArgument, expressMiddleware } from "@as-integrations/express5";
import express from "express";
import type { Logger } from "pino";
import { corsFor, graphqlMethods, jsonErrors, notFound } from "./http-errors";
import { graphqlLogPlugin } from "./logging/graphql-log-plugin";
import { createLogger } from "./logging/logger";
import { requestLogging, withinRequest } from "./logging/request-log";
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
  context: ContextFunction<[ExpressContextFunctionArgument], Context>;
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
  /** Origins a browser may call from (default none: no CORS headers). */
  corsOrigins?: string[];
  /** This service's metrics, served at /metrics (default: a new registry with the process metrics only). */
  metrics?: Registry;
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
  const app = express();
  app.disable("x-powered-by");
  app.use(requestLogging(logger));
  const httpServer = createServer(app);
  const metrics = options.metrics ?? createMetricsRegistry();
  let draining = false;

  app.get("/health/live", (_req, res) => {
    res.json({ status: "ok", service: options.name });
  });
  app.get("/health/ready", async (_req, res) => {
    if (draining) {
      res.status(503).json({ status: "draining", service: options.name });
      return;
    }
    try {
      const details = await options.readiness();
      res.json(withStatus("ready", options.name, typeof details === "object" ? details : undefined));
    } catch (error) {
      // The details (host names, driver messages) are for the operator's log, not for whoever asks.
      logger.warn({ reason: (error as Error).message }, "not ready");
      const details = error instanceof NotReadyError ? error.details : undefined;
      res.status(503).json(withStatus("unavailable", options.name, details));
    }
  });

  app.get("/metrics", async (_req, res) => {
    try {
      const text = await metrics.metrics();
      res.set("content-type", metrics.contentType).send(text);
    } catch (error) {
      logger.error({ err: error }, "metrics failed");
      res.status(500).json({ status: "error", service: options.name });
    }
  });

  // Apollo's drain plugin closes the listener, ends idle keep-alive connections,
  // lets in-flight requests finish and cuts what is left after the grace period.
  const apollo = options.createApollo([
    ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: shutdown.timeoutMs }),
    graphqlLogPlugin<Context>(),
  ]);
  await apollo.start();
  const cors = corsFor(options.corsOrigins ?? []);
  app.use(
    "/graphql",
    ...(cors ? [cors] : []),
    graphqlMethods,
    express.json({ limit: options.maxBodyBytes ?? 100_000 }),
    withinRequest,
    expressMiddleware(apollo, { context: options.context }),
  );
  app.use(notFound);
  app.use(jsonErrors(logger));

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(options.port, options.host ?? "127.0.0.1", resolve);
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
        await apollo.stop();
      })();
      return stopped;
    },
  };
}
