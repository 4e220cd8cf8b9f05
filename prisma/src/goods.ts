import { PrismaClient } from "./generated/goods/client";
import { type DatabaseOptions, openPrismaDatabase, type PrismaDatabase } from "./open-database";

export type * from "./generated/goods/client";
export { Prisma } from "./generated/goods/client";

export type GoodsPrisma = InstanceType<typeof PrismaClient>;

/** The goods database: Prisma for the models, `sql` for raw work, one underlying connection/pool. */
export type GoodsDb = PrismaDatabase<GoodsPrisma>;

export const openGoodsDb = (options: DatabaseOptions = {}): Promise<GoodsDb> =>
  openPrismaDatabase("goods", (prismaOptions) => new PrismaClient(prismaOptions), options);
