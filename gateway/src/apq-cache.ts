import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import { KeyvAdapter } from "@apollo/utils.keyvadapter";
import type { KeyValueCache, KeyValueCacheSetOptions } from "@apollo/utils.keyvaluecache";
import { ConfigError } from "@emshop/common/config/load";
import KeyvRedis, { createClient } from "@keyv/redis";
import Keyv from "keyv";

/** Where Automatic Persisted Queries are kept. */
export interface PersistedQueriesOptions {
  /** e.g. redis://127.0.0.1:6379: shared by every gateway replica; unset: each replica's own memory. */
  redisUrl?: string;
  /** Where store warnings go (default console.warn); never given the URL, which may hold a password. */
  log?: (line: string) => void;
}

/** Redis keys are `emshop-apq::apq:<sha256>` (Apollo adds the `apq:` prefix). */
export const APQ_NAMESPACE = "emshop-apq";

/**
 * How long a registered query stays in Redis. Apollo passes a TTL per entry
 * only when `persistedQueries.ttl` is set (server.ts does not set it: no TTL
 * by default, which in Redis would mean forever, growing with every query
 * text any client ever registered). An entry costs one round trip to
 * re-register (the client re-sends the full query after
 * PERSISTED_QUERY_NOT_FOUND), so a day keeps the hot queries without letting
 * one-off or hostile ones pile up.
 */
export const APQ_TTL_SECONDS = 24 * 60 * 60;

/** A lookup that takes longer than this is a miss: APQ must never make a query slower than sending it in full. */
export const APQ_OPERATION_TIMEOUT_MS = 250;
/** While Redis is down, try to reconnect at most this often (from a request, never from a timer). */
const RECONNECT_INTERVAL_MS = 2000;
const CONNECT_TIMEOUT_MS = 1000;
/** An outage is logged once, then at most this often. */
const WARN_INTERVAL_MS = 30_000;

/** A cache the gateway should close when it stops. */
interface Closable {
  close(): Promise<void>;
}

/**
 * The APQ store: with a Redis URL, one shared by every replica (a query
 * registered through one is found by all); without, undefined, and Apollo
 * keeps its default: an in-memory LRU cache per process (each replica learns
 * each query once; a client that hits another replica re-sends the full query
 * once, which is correct, only one round trip slower).
 */
export function persistedQueriesCache(options: PersistedQueriesOptions = {}): KeyValueCache<string> | undefined {
  if (!options.redisUrl) return undefined;
  return new RedisPersistedQueries(options.redisUrl, options.log ?? ((line) => console.warn(line)));
}

/** node-redis' own URL errors quote the URL, password included: the operator gets a ConfigError without it. */
function redisClient(url: string): ReturnType<typeof createClient> {
  const refuse = (message: string) =>
    new ConfigError("gateway", [{ variable: "APQ_REDIS_URL", value: "(hidden)", message }]);
  if (!URL.canParse(url) || !/^rediss?:$/.test(new URL(url).protocol))
    throw refuse("must be a redis:// or rediss:// URL, e.g. redis://:password@redis:6379/0");
  try {
    return createClient({
      url,
      // Commands fail at once while disconnected instead of queueing behind a reconnect.
      disableOfflineQueue: true,
      // No reconnect loop of its own (its timers would keep the process alive): see #ready.
      socket: { connectTimeout: CONNECT_TIMEOUT_MS, reconnectStrategy: false },
    });
  } catch {
    throw refuse("not a usable Redis URL (its own error is not shown: it would quote the URL)");
  }
}

/** Closes the store's connection (no-op for the in-memory default or undefined). */
export async function closePersistedQueriesCache(cache: KeyValueCache<string> | undefined): Promise<void> {
  if (cache && typeof (cache as Partial<Closable>).close === "function") await (cache as unknown as Closable).close();
}

/**
 * Redis through Keyv, degrading to "not found" whenever Redis is unreachable,
 * slow or failing: a persisted-query lookup then answers
 * PERSISTED_QUERY_NOT_FOUND, the client re-sends the full query and it runs
 * as usual; a registration that cannot be stored is dropped. No request ever
 * fails or waits on Redis for more than APQ_OPERATION_TIMEOUT_MS.
 *
 * The connection is opened at once and never keeps the process alive (the
 * socket is unref'ed and reconnecting is driven by requests, not timers), so
 * a gateway whose Redis is down still exits; `close()` ends it explicitly.
 */
class RedisPersistedQueries implements KeyValueCache<string>, Closable {
  readonly #client: ReturnType<typeof createClient>;
  readonly #adapter: KeyvAdapter<string>;
  readonly #log: (line: string) => void;
  #connecting: Promise<void> | undefined;
  #lastAttempt = 0;
  #lastWarning = 0;
  #closed = false;

  constructor(url: string, log: (line: string) => void) {
    this.#log = log;
    this.#client = redisClient(url);
    // node-redis emits every connection failure; without a listener it would crash the process.
    this.#client.on("error", (error: Error) => this.#warn(error));
    this.#client.unref();
    const store = new KeyvRedis<string>(this.#client, { namespace: APQ_NAMESPACE, throwOnErrors: true });
    const keyv = new Keyv<string>({
      store,
      namespace: APQ_NAMESPACE,
      // KeyvRedis already prefixes with the namespace; Keyv's own prefix would double it.
      useKeyPrefix: false,
      ttl: APQ_TTL_SECONDS * 1000,
      // Errors are thrown to #guard (which turns them into misses) rather than only emitted.
      throwOnErrors: true,
    });
    keyv.on("error", () => undefined); // already reported through the client's listener or #guard
    this.#adapter = new KeyvAdapter(keyv);
    this.#ready().catch(() => undefined);
  }

  async get(key: string): Promise<string | undefined> {
    return this.#guard(() => this.#adapter.get(key), undefined);
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    await this.#guard(() => this.#adapter.set(key, value, options), undefined);
  }

  async delete(key: string): Promise<boolean> {
    return this.#guard(() => this.#adapter.delete(key), false);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#client.isOpen) this.#client.destroy();
  }

  /** Resolves once connected; (re)connects when needed, at most every RECONNECT_INTERVAL_MS. */
  #ready(): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("the APQ store is closed"));
    if (this.#client.isReady) return Promise.resolve();
    if (this.#connecting) return this.#connecting;
    if (Date.now() - this.#lastAttempt < RECONNECT_INTERVAL_MS) return Promise.reject(new Error("Redis is down"));
    this.#lastAttempt = Date.now();
    this.#connecting = (async () => {
      try {
        await this.#client.connect();
        if (this.#lastWarning > 0) this.#log("[gateway] APQ store (Redis) reachable again");
        this.#lastWarning = 0;
      } finally {
        this.#connecting = undefined;
      }
    })();
    return this.#connecting;
  }

  async #guard<T>(operation: () => Promise<T>, fallback: T): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer in ${APQ_OPERATION_TIMEOUT_MS} ms`)),
        APQ_OPERATION_TIMEOUT_MS,
      );
      timer.unref();
    });
    try {
      return await Promise.race([this.#ready().then(operation), timeout]);
    } catch (error) {
      this.#warn(error as Error);
      return fallback;
    } finally {
      clearTimeout(timer);
    }
  }

  #warn(error: Error) {
    if (this.#closed) return;
    const now = Date.now();
    if (now - this.#lastWarning < WARN_INTERVAL_MS) return;
    this.#lastWarning = now;
    this.#log(
      `[gateway] APQ store (Redis) unavailable, persisted queries are treated as not found: ${error.message || error.name}`,
    );
  }
}

/** Apollo's persisted-query request errors that it sends without a code (so they would read INTERNAL_SERVER_ERROR). */
const UNCODED_APQ_ERRORS = new Set(["provided sha does not match query", "Unsupported persisted query version"]);

/**
 * What the gateway adds for APQ: closes the store when the server stops, and
 * gives Apollo's uncoded persisted-query request errors (a hash that does not
 * match the query, an unknown version) the code BAD_REQUEST: they are the
 * client's mistake, not an internal error.
 */
export function persistedQueriesPlugin<Context extends BaseContext>(
  cache: KeyValueCache<string> | undefined,
): ApolloServerPlugin<Context> {
  return {
    async serverWillStart() {
      return {
        async serverWillStop() {
          await closePersistedQueriesCache(cache);
        },
      };
    },
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== "single") return;
          const { singleResult } = response.body;
          if (!singleResult.errors?.some((error) => UNCODED_APQ_ERRORS.has(error.message))) return;
          singleResult.errors = singleResult.errors.map((error) =>
            UNCODED_APQ_ERRORS.has(error.message) && error.extensions?.code === "INTERNAL_SERVER_ERROR"
              ? { ...error, extensions: { ...error.extensions, code: "BAD_REQUEST" } }
              : error,
          );
        },
      };
    },
  };
}
