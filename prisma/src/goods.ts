import { PrismaClient } from "./generated/goods/client";
import { type Connection, type DatabaseOptions, openConnection, prismaClientOptions } from "./open-database";

export type * from "./generated/goods/client";
export { Prisma } from "./generated/goods/client";

export type GoodsPrisma = InstanceType<typeof PrismaClient>;

/** The goods database: Prisma for the models, `sql` for raw work, one underlying connection/pool. */
export interface GoodsDb extends Omit<Connection, "adapter"> {
  prisma: GoodsPrisma;
}

export async function openGoodsDb(options: DatabaseOptions = {}): Promise<GoodsDb> {
  const { adapter, close, ...connection } = await openConnection("goods", options);
  const prisma = new PrismaClient(prismaClientOptions(adapter, options));
  if (options.onQuery) prisma.$on("query" as never, (event: { query: string }) => options.onQuery?.(event.query));
  return {
    ...connection,
    prisma,
    async close() {
      await prisma.$disconnect();
      await close();
    },
  };
}
