import type { PGlite } from "@electric-sql/pglite";
import pg from "pg";

/** What a LISTEN subscriber is told. */
export interface NotificationHandlers {
  /** A NOTIFY on the channel arrived (its payload). */
  onNotify(payload: string): void;
  /**
   * Whether notifications are being received. While false (not connected yet,
   * or the connection was lost) some may be missed: whoever caches on them
   * must not trust the cache until it is true again.
   */
  onListening(listening: boolean): void;
}

export interface NotificationListener {
  close(): Promise<void>;
}

/** Channel names go into SQL unquoted: only plain identifiers. */
function checkChannel(channel: string) {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`not a plain channel name: ${channel}`);
}

/** How long to wait before connecting again after the listening connection failed. */
const RETRY_MS = 1000;

/**
 * LISTEN on PostgreSQL over a connection of its own (a pooled one would be
 * handed to other queries and lose the subscription). A lost connection is
 * reported (`onListening(false)`) and re-established every second until
 * `close()`; `onListening(true)` follows each successful LISTEN.
 */
export async function listenPostgres(
  url: string,
  channel: string,
  handlers: NotificationHandlers,
): Promise<NotificationListener> {
  checkChannel(channel);
  let closed = false;
  let current: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;

  const lost = (client: pg.Client) => {
    if (current !== client) return;
    current = undefined;
    handlers.onListening(false);
    client.end().catch(() => undefined);
    if (!closed) retry = setTimeout(connect, RETRY_MS);
  };
  async function connect() {
    retry = undefined;
    if (closed) return;
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    client.on("notification", (message) => {
      if (message.channel === channel) handlers.onNotify(message.payload ?? "");
    });
    client.on("error", () => lost(client));
    client.on("end", () => lost(client));
    current = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${channel}`);
      if (current === client && !closed) handlers.onListening(true);
    } catch {
      lost(client);
    }
  }
  await connect();
  return {
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      const client = current;
      current = undefined;
      await client?.end().catch(() => undefined);
    },
  };
}

/** LISTEN on embedded PGlite: in-process, so never lost. */
export async function listenPglite(
  lite: PGlite,
  channel: string,
  handlers: NotificationHandlers,
): Promise<NotificationListener> {
  checkChannel(channel);
  const unlisten = await lite.listen(channel, (payload) => handlers.onNotify(payload));
  handlers.onListening(true);
  return {
    close: async () => {
      if (!lite.closed) await unlisten();
    },
  };
}
