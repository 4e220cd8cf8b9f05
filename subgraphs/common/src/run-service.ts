import type { Logger } from "pino";
import { ConfigError } from "./config/load";
import type { ShutdownOptions } from "./http-service";
import { createLogger, type LoggerOptions } from "./logging/logger";

/** Time allowed on top of the drain for closing pools before the process gives up waiting. */
const CLOSE_MARGIN_MS = 5000;

export interface ServiceEntry<Config, Service extends { url: string; stop(): Promise<void> }> {
  name: string;
  /** Reads and validates the configuration (throws ConfigError). */
  loadConfig: () => Config;
  /** How the process logs (level, format), from the configuration. */
  logging: (config: Config) => LoggerOptions;
  start: (config: Config, logger: Logger) => Promise<Service>;
  shutdownOf: (config: Config) => ShutdownOptions;
  /** Fields for the start line, e.g. where the database is. */
  describe?: (service: Service) => Record<string, unknown>;
}

/**
 * The `index.ts` of every service: configuration (a bad value prints what is
 * wrong and exits 1), start, and a draining stop on SIGTERM/SIGINT that exits
 * 0 when done. If stopping hangs beyond the configured bound (drain delay +
 * timeout + a margin for closing pools) the process exits 1 anyway; a second
 * signal exits at once.
 */
export async function runService<Config, Service extends { url: string; stop(): Promise<void> }>(
  entry: ServiceEntry<Config, Service>,
): Promise<void> {
  let config: Config;
  try {
    config = entry.loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // No logger yet (its level and format are settings too): plain text, for whoever started it.
    console.error(`[${entry.name}] ${error.message}`);
    process.exit(1);
  }
  const logger = createLogger(entry.logging(config));
  const service = await entry.start(config, logger).catch((error: unknown) => {
    // Settings that are fine one by one but wrong together (e.g. production with the development key).
    if (error instanceof ConfigError) logger.fatal(error.message);
    else logger.fatal({ err: error }, "failed to start");
    process.exit(1);
  });
  // The supervisor and the tests wait for "serving <url>" at the end of this line.
  logger.info({ ...entry.describe?.(service), url: service.url }, `serving ${service.url}`);

  const shutdown = entry.shutdownOf(config);
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.error({ signal }, `${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, boundMs: shutdown.delayMs + shutdown.timeoutMs }, `${signal}: draining`);
    const bound = setTimeout(
      () => {
        logger.error("shutdown did not finish in time: exiting");
        process.exit(1);
      },
      shutdown.delayMs + shutdown.timeoutMs + CLOSE_MARGIN_MS,
    );
    bound.unref();
    service
      .stop()
      .then(() => {
        logger.info("stopped");
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      });
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}
