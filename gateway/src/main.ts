import { type ShutdownOptions, startHttpService } from "@emshop/common/http-service";
import { createGatewayContext } from "./context";
import { createGateway, type GatewayOptions } from "./server";

export interface GatewayServiceOptions extends GatewayOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  shutdown?: Partial<ShutdownOptions>;
  log?: (line: string) => void;
}

/** Serves the federated API at /graphql; ready once the gateway has loaded the supergraph. */
export async function startGatewayService(options: GatewayServiceOptions = {}) {
  return startHttpService({
    name: "gateway",
    createApollo: (plugins) => createGateway({ ...options, plugins: [...plugins, ...(options.plugins ?? [])] }),
    context: createGatewayContext,
    // The gateway has no database: it is ready as soon as it serves (subgraph outages degrade fields, not the gateway).
    readiness: async () => undefined,
    port: options.port ?? 4000,
    ...(options.host ? { host: options.host } : {}),
    ...(options.shutdown ? { shutdown: options.shutdown } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.limits ? { maxBodyBytes: options.limits.maxBodyBytes, corsOrigins: options.limits.corsOrigins } : {}),
  });
}
