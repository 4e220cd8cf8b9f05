import { ConfigError } from "./config/load";
import type { ShutdownOptions } from "./http-service";

/** Time allowed on top of the drain for closing pools before the process gives up waiting. */
const CLOSE_MARGIN_MS = 5000;

export interface ServiceEntry<Config, Service extends { url: string; stop(): Promise<void> }> {
  name: string;
  /** Reads and validates the configuration (throws ConfigError). */
  loadConfig: () => Config;
  start: (config: Config) => Promise<Service>;
  shutdownOf: (config: Config) => ShutdownOptions;
  /** One line for the start log, e.g. where the database is. */
  describe?: (service: Service) => string;
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
    console.error(`[${entry.name}] ${error.message}`);
    process.exit(1);
  }
  const service = await entry.start(config).catch((error: unknown) => {
    // Settings that are fine one by one but wrong together (e.g. production with the development key).
    if (error instanceof ConfigError) console.error(`[${entry.name}] ${error.message}`);
    else console.error(`[${entry.name}] failed to start:`, error);
    process.exit(1);
  });
  console.log(`[${entry.name}] ${entry.describe ? `${entry.describe(service)}; ` : ""}serving ${service.url}`);

  const shutdown = entry.shutdownOf(config);
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      console.error(`[${entry.name}] ${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    console.log(`[${entry.name}] ${signal}: draining (up to ${shutdown.delayMs + shutdown.timeoutMs} ms)`);
    const bound = setTimeout(
      () => {
        console.error(`[${entry.name}] shutdown did not finish in time: exiting`);
        process.exit(1);
      },
      shutdown.delayMs + shutdown.timeoutMs + CLOSE_MARGIN_MS,
    );
    bound.unref();
    service
      .stop()
      .then(() => {
        console.log(`[${entry.name}] stopped`);
        process.exit(0);
      })
      .catch((error: unknown) => {
        console.error(`[${entry.name}] shutdown failed`, error);
        process.exit(1);
      });
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}
