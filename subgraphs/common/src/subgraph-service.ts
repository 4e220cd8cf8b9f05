import type { IncomingHttpHeaders } from "node:http";
import type { ApolloServer, BaseContext } from "@apollo/server";
import { type RunningService, startHttpService } from "./http-service";

/** The database side a subgraph service needs: a health probe and a way to close it. */
export interface ServiceDatabase {
  kind: string;
  location: string;
  sql: { query(sql: string): Promise<unknown> };
  close(): Promise<void>;
}

export interface SubgraphServiceOptions<Db extends ServiceDatabase, Context extends BaseContext> {
  name: string;
  openDb: () => Promise<Db>;
  /** Migrations (and the embedded demo seed) run before the port opens. */
  prepareDb: (db: Db) => Promise<void>;
  apollo: ApolloServer<Context>;
  /** Builds each request's context; `request` carries the HTTP headers (e.g. who is acting). */
  createContext: (db: Db, request: { headers: IncomingHttpHeaders }) => Context;
  port: number;
}

/** Opens and prepares the database, then serves the subgraph; `stop` closes both. */
export async function startSubgraphService<Db extends ServiceDatabase, Context extends BaseContext>(
  options: SubgraphServiceOptions<Db, Context>,
): Promise<RunningService & { db: Db }> {
  const db = await options.openDb();
  try {
    await options.prepareDb(db);
    const service = await startHttpService({
      name: options.name,
      apollo: options.apollo,
      context: async ({ req }) => options.createContext(db, { headers: req.headers }),
      readiness: async () => void (await db.sql.query("SELECT 1")),
      port: options.port,
    });
    return {
      ...service,
      db,
      async stop() {
        await service.stop();
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}
