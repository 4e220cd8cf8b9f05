import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ApolloServer, BaseContext, ContextFunction } from "@apollo/server";
import { type ExpressContextFunctionArgument, expressMiddleware } from "@as-integrations/express5";
import express from "express";

/** What `startHttpService` needs: a built (not started) Apollo server and its per-request context. */
export interface HttpServiceOptions<Context extends BaseContext> {
  name: string;
  apollo: ApolloServer<Context>;
  context: ContextFunction<[ExpressContextFunctionArgument], Context>;
  /** Throws when the service cannot serve (e.g. its database is unreachable). */
  readiness: () => Promise<void>;
  port: number;
  host?: string;
}

export interface RunningService {
  url: string;
  port: number;
  httpServer: Server;
  stop(): Promise<void>;
}

/**
 * Serves GraphQL at /graphql plus the health endpoints orchestrators probe:
 * /health/live (the process answers) and /health/ready (it can reach its
 * dependencies). Port 0 picks a free port, which the tests rely on.
 */
export async function startHttpService<Context extends BaseContext>(
  options: HttpServiceOptions<Context>,
): Promise<RunningService> {
  const app = express();
  const httpServer = createServer(app);
  app.get("/health/live", (_req, res) => {
    res.json({ status: "ok", service: options.name });
  });
  app.get("/health/ready", async (_req, res) => {
    try {
      await options.readiness();
      res.json({ status: "ready", service: options.name });
    } catch (error) {
      res.status(503).json({ status: "unavailable", service: options.name, reason: (error as Error).message });
    }
  });
  await options.apollo.start();
  app.use("/graphql", express.json({ limit: "1mb" }), expressMiddleware(options.apollo, { context: options.context }));

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(options.port, options.host ?? "0.0.0.0", resolve);
  });
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    port,
    httpServer,
    async stop() {
      await options.apollo.stop();
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}

/** Stops the service (and whatever `cleanup` closes) on Ctrl-C or SIGTERM, exactly once. */
export function stopOnSignals(name: string, stop: () => Promise<void>) {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`[${name}] ${signal}: shutting down`);
    stop()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        console.error(`[${name}] shutdown failed`, error);
        process.exit(1);
      });
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
}
