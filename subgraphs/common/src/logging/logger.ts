import pino, { type DestinationStream, type Level, type Logger } from "pino";
import pretty from "pino-pretty";
import { currentRequest } from "./request-context";

export type { Logger };

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** `auto`: pretty on a terminal, JSON lines otherwise (a pipe, a file, a log shipper). */
export const LOG_FORMATS = ["auto", "json", "pretty"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LoggerOptions {
  /** Every line carries it as `service`. */
  service: string;
  level?: LogLevel;
  format?: LogFormat;
  /** Where lines go (default stdout); tests pass a stream that collects them. */
  destination?: DestinationStream;
}

/**
 * Never logged even if some code passes them by mistake: credentials and the
 * values callers send. Lines name operations and codes, not their inputs.
 */
const REDACTED = [
  "authorization",
  "*.authorization",
  "headers",
  "*.headers",
  "token",
  "*.token",
  "variables",
  "*.variables",
  "password",
  "*.password",
];

const prettyStream = (destination?: DestinationStream) =>
  pretty({
    sync: true,
    ...(destination ? { destination } : {}),
    translateTime: "SYS:HH:MM:ss.l",
    ignore: "pid,hostname,service",
    messageFormat: "{service} {if reqId}[{reqId}] {end}{msg}",
  });

/**
 * The service's logger: pino, JSON lines with `time`, `level` (as a word, so a
 * reader needs no table), `service`, and `reqId` on every line logged while a
 * request is being served. Writes are synchronous: a line logged just before
 * the process exits (a failed start, the last drain message) is not lost.
 */
export function createLogger(options: LoggerOptions): Logger {
  const format = options.format ?? "auto";
  const usePretty = format === "pretty" || (format === "auto" && process.stdout.isTTY === true);
  const destination = usePretty
    ? prettyStream(options.destination)
    : (options.destination ?? pino.destination({ dest: 1, sync: true }));
  return pino(
    {
      level: options.level ?? "info",
      base: { service: options.service, pid: process.pid },
      formatters: { level: (label: string) => ({ level: label as Level }) },
      timestamp: pino.stdTimeFunctions.isoTime,
      // The request's id, wherever in the request the line is logged from.
      mixin: () => {
        const request = currentRequest();
        return request ? { reqId: request.id } : {};
      },
      redact: { paths: REDACTED, censor: "[redacted]" },
    },
    destination,
  );
}

/** A logger that writes nothing (tests that do not look at logs). */
export const silentLogger = (): Logger => pino({ level: "silent" });
