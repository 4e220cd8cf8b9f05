import mysql from "mysql2/promise";
import { ImportError, messageOf } from "./errors";

/** One emshop MySQL/MariaDB database (goods or inventory), read-only for the import. */
export interface SourceDb {
  name: "goods" | "inventory";
  /** The URL without credentials, for messages. */
  location: string;
  /** The session's id on the server (tests end it with KILL to cut the connection). */
  threadId: number;
  /** DATETIME values are local times in this offset ("Z" unless the URL says `?timezone=+08:00`). */
  timezone: string;
  query<Row>(sql: string, params?: unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

const withoutCredentials = (url: string) => url.replace(/\/\/[^@/]*@/, "//");

/** `+08:00`, `-05:00` or `Z`: how DATETIME values are turned into instants. */
function timezoneOf(url: URL): string {
  const zone = url.searchParams.get("timezone") ?? "Z";
  if (zone === "Z" || zone === "local" || /^[+-]\d{2}:\d{2}$/.test(zone)) return zone === "local" ? "Z" : zone;
  throw new ImportError("SOURCE_URL_INVALID", `timezone=${zone} in the source URL must be Z or ±HH:MM`);
}

export function parseSourceUrl(variable: string, value: string | undefined): URL {
  if (!value?.trim())
    throw new ImportError("SOURCE_URL_INVALID", `${variable} is not set (mysql://user:password@host:3306/database)`);
  const url = URL.canParse(value.trim()) ? new URL(value.trim()) : null;
  if (!url || !/^(mysql|mariadb):$/.test(url.protocol) || url.pathname.length < 2)
    throw new ImportError(
      "SOURCE_URL_INVALID",
      `${variable} must be mysql://user:password@host:3306/database, got "${withoutCredentials(value)}"`,
    );
  return url;
}

/**
 * One connection, not a pool: a connection that breaks mid-run must stop the
 * run (SOURCE_CONNECTION_LOST), not be replaced silently between two batches.
 * Read with the text protocol (`query`), DATETIME as strings (turned into
 * instants with the URL's timezone), DECIMAL as strings.
 */
export async function openSource(name: SourceDb["name"], url: URL, options: { database?: boolean } = {}) {
  const location = withoutCredentials(url.toString());
  const timezone = timezoneOf(url);
  let connection: mysql.Connection;
  try {
    connection = await mysql.createConnection({
      host: url.hostname,
      port: Number(url.port || 3306),
      user: decodeURIComponent(url.username || "root"),
      password: decodeURIComponent(url.password),
      ...(options.database === false ? {} : { database: decodeURIComponent(url.pathname.slice(1)) }),
      dateStrings: true,
      supportBigNumbers: true,
      connectTimeout: 10_000,
      charset: "utf8mb4",
    });
  } catch (error) {
    throw new ImportError(
      "SOURCE_UNREACHABLE",
      `cannot reach the emshop ${name} database (${location}): ${messageOf(error)}`,
      {
        cause: error,
      },
    );
  }
  // An idle connection the server drops emits "error"; the next query reports it as SOURCE_CONNECTION_LOST.
  connection.on("error", () => undefined);
  const source: SourceDb = {
    name,
    location,
    threadId: connection.threadId ?? 0,
    timezone,
    async query<Row>(sql: string, params: unknown[] = []) {
      try {
        const [rows] = await connection.query(sql, params);
        return rows as Row[];
      } catch (error) {
        // A refused statement (missing column, syntax) is a schema problem; anything else is the connection.
        const sqlError = typeof (error as { sqlState?: unknown }).sqlState === "string";
        throw new ImportError(
          sqlError ? "SOURCE_SCHEMA" : "SOURCE_CONNECTION_LOST",
          `emshop ${name} database (${location}): ${messageOf(error)}`,
          { cause: error },
        );
      }
    },
    async close() {
      await connection.end().catch(() => connection.destroy());
    },
  };
  return source;
}

/**
 * A table read batch by batch in primary-key order with keyset pagination
 * (`WHERE key > last ORDER BY key LIMIT n`): every batch is one index range
 * scan, so the cost per batch and the memory held stay the same whatever the
 * table size (OFFSET would rescan everything before the page).
 */
export async function* keysetBatches<Row extends Record<string, unknown>>(
  source: SourceDb,
  select: { columns: string; from: string; key: string; where?: string },
  batchSize: number,
): AsyncGenerator<Row[]> {
  let after: unknown = null;
  for (;;) {
    const conditions = [select.where, after === null ? null : `${select.key} > ?`].filter(Boolean);
    const rows: Row[] = await source.query<Row>(
      `SELECT ${select.columns} FROM ${select.from}${conditions.length ? ` WHERE ${conditions.join(" AND ")}` : ""}
       ORDER BY ${select.key} LIMIT ?`,
      after === null ? [batchSize] : [after, batchSize],
    );
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < batchSize) return;
    after = rows[rows.length - 1]?.[select.key];
  }
}

/** DATETIME text ("2024-01-02 03:04:05.678") → ISO instant, read in the source's timezone; null stays null. */
export function instant(value: unknown, timezone: string): string | null {
  if (value === null || value === undefined || value === "") return null;
  const text = String(value);
  if (text.startsWith("0000-00-00")) return null; // MySQL's "zero date": no time at all
  const date = new Date(`${text.replace(" ", "T")}${timezone}`);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
