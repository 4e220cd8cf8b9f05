import { PrismaClient } from "./generated/inventory/client";
import { type Connection, type DatabaseOptions, openConnection, prismaClientOptions } from "./open-database";

export type * from "./generated/inventory/client";
export { Prisma } from "./generated/inventory/client";

export type InventoryPrisma = InstanceType<typeof PrismaClient>;

/** The inventory database: Prisma for the models, `sql` for raw work, one underlying connection/pool. */
export interface InventoryDb extends Omit<Connection, "adapter"> {
  prisma: InventoryPrisma;
}

export async function openInventoryDb(options: DatabaseOptions = {}): Promise<InventoryDb> {
  const { adapter, close, ...connection } = await openConnection("inventory", options);
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
