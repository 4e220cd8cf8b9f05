import { createLogger, type Logger, silentLogger } from "@emshop/common/logging/logger";

/** One parsed log line as a service writes it (JSON). */
export interface LogLine {
  level: string;
  time: string;
  service: string;
  msg: string;
  reqId?: string;
  [field: string]: unknown;
}

/**
 * A real service logger (the same pino setup, JSON format) whose lines are
 * parsed and handed to `onLine` instead of going to stdout.
 */
export function capturingLogger(service: string, onLine: (line: LogLine) => void): Logger {
  return createLogger({
    service,
    level: "info",
    format: "json",
    destination: {
      write(chunk: string) {
        for (const text of chunk.split("\n")) if (text) onLine(JSON.parse(text) as LogLine);
      },
    },
  });
}

/** Lines of one service, collected. */
export function collectedLogs(service: string) {
  const lines: LogLine[] = [];
  return { lines, logger: capturingLogger(service, (line) => lines.push(line)) };
}

export const quietLogger = silentLogger;

/** The request-summary lines among `lines`. */
export const requestLines = (lines: readonly LogLine[]) =>
  lines.filter((line) => line.msg === "request" || line.msg === "request abandoned by the client");
