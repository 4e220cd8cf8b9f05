import { isDatabaseUnavailable, sqlStateOf } from "@emshop/common/database-unavailable";
import { type GoodsDb, type GoodsPrisma, openGoodsDb } from "@emshop/db/goods";
import type { DatabaseOptions } from "@emshop/db/open-database";
import type { SqlClient } from "@emshop/db/sql-client";
import { readReplicas } from "@prisma/extension-read-replicas";

/**
 * Where the catalog queries read: Prisma and raw SQL. Without replicas that is
 * the primary (the GoodsDb itself); with GOODS_DATABASE_REPLICA_URLS a replica.
 * Mutations, reads inside them and the catalog cache never use it.
 */
export interface GoodsReads {
  prisma: GoodsPrisma;
  sql: Pick<SqlClient, "query">;
}

export interface ReplicaOptions {
  /** One PostgreSQL URL per replica. */
  urls: readonly string[];
  /** Pool and timeouts of each replica's connections (the primary's settings, with its own statement counter). */
  database: DatabaseOptions;
  /** A replica read failed and is retried on the primary. */
  onFallback?: (error: unknown) => void;
}

/**
 * Worth retrying on the primary: the replica cannot be reached or its
 * connection broke, or a hot standby cancelled the query because replaying
 * the primary's changes conflicted with it (SQLSTATE 40001 there).
 */
const replicaFailed = (error: unknown) => isDatabaseUnavailable(error) || sqlStateOf(error) === "40001";

type Operation = (args: unknown) => Promise<unknown>;
type ClientLike = Record<string, unknown> & {
  $extends(extension: unknown): unknown;
};

/** The primary's `model.operation` (Prisma's extension hooks name the model capitalised: "Goods"). */
function primaryOperation(primary: GoodsPrisma, model: string | undefined, operation: string): Operation {
  const client = primary as unknown as Record<string, Record<string, Operation>>;
  const delegate = model ? client[model.charAt(0).toLowerCase() + model.slice(1)] : undefined;
  const target = delegate?.[operation] ?? (client[operation] as unknown as Operation | undefined);
  if (!target) throw new Error(`no ${model ?? "client"}.${operation} on the primary`);
  return (args) => target.call(delegate ?? primary, args);
}

/** A replica's client that answers a read it cannot serve from the primary (once), and says so. */
function withPrimaryFallback(replica: GoodsPrisma, primary: GoodsPrisma, onFallback?: (error: unknown) => void) {
  return (replica as unknown as ClientLike).$extends({
    query: {
      async $allOperations({
        model,
        operation,
        args,
        query,
      }: {
        model?: string;
        operation: string;
        args: unknown;
        query: Operation;
      }) {
        try {
          return await query(args);
        } catch (error) {
          if (!replicaFailed(error)) throw error;
          onFallback?.(error);
          return primaryOperation(primary, model, operation)(args);
        }
      },
    },
  });
}

/** Raw reads on a replica picked per query, retried once on the primary when the replica fails. */
function replicaSql(replicas: readonly GoodsDb[], primary: GoodsDb, onFallback?: (error: unknown) => void) {
  return {
    async query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]> {
      const replica = replicas[Math.floor(Math.random() * replicas.length)] as GoodsDb;
      try {
        return await replica.sql.query<Row>(sql, params);
      } catch (error) {
        if (!replicaFailed(error)) throw error;
        onFallback?.(error);
        return primary.sql.query<Row>(sql, params);
      }
    },
  };
}

/**
 * Opens a connection pool per replica and routes the catalog's reads there:
 * Prisma's through `@prisma/extension-read-replicas` (non-transactional reads
 * go to a replica picked at random per query; writes and transactions go to
 * the primary), raw SQL through `reads.sql`. Each replica is warmed up with
 * one query, so its query compiler is loaded before the first request (a
 * replica that is down at start is not an error: reads fall back).
 * Closing the result closes the replicas, then the primary.
 */
export async function withReadReplicas<Db extends GoodsDb>(
  db: Db,
  options: ReplicaOptions,
): Promise<Db & { reads: GoodsReads }> {
  const replicas: GoodsDb[] = [];
  try {
    for (const url of options.urls) replicas.push(await openGoodsDb({ ...options.database, url }));
  } catch (error) {
    await Promise.allSettled(replicas.map((replica) => replica.close()));
    throw error;
  }
  const clients = replicas.map((replica) => withPrimaryFallback(replica.prisma, db.prisma, options.onFallback));
  // The extension's types take the generic PrismaClient; ours are generated ones with the same runtime API.
  const extension = readReplicas({ replicas: clients as never[] });
  const prisma = (db.prisma as unknown as ClientLike).$extends(extension) as unknown as GoodsPrisma;
  await Promise.allSettled(replicas.map((replica) => replica.prisma.category.findFirst({ select: { id: true } })));
  const close = db.close.bind(db);
  return Object.assign(db, {
    reads: { prisma, sql: replicaSql(replicas, db, options.onFallback) },
    async close() {
      await Promise.allSettled(replicas.map((replica) => replica.close()));
      await close();
    },
  });
}
