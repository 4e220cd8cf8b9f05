import { PrismaClient } from "./generated/inventory/client";
import { type DatabaseOptions, openPrismaDatabase, type PrismaDatabase } from "./open-database";

export type * from "./generated/inventory/client";
export { Prisma } from "./generated/inventory/client";

export type InventoryPrisma = InstanceType<typeof PrismaClient>;

/** The inventory database: Prisma for the models, `sql` for raw work, one underlying connection/pool. */
export type InventoryDb = PrismaDatabase<InventoryPrisma>;

export const openInventoryDb = (options: DatabaseOptions = {}): Promise<InventoryDb> =>
  openPrismaDatabase("inventory", (prismaOptions) => new PrismaClient(prismaOptions), options);
