import { badUserInput } from "@emshop/common/errors";
import type { Prisma } from "@emshop/db/goods";

type Tx = Prisma.TransactionClient;

/** The category a write points at; a missing one is the caller's input error, not NOT_FOUND. */
export async function requireCategory(tx: Tx, id: number, field: string) {
  const category = await tx.category.findUnique({ where: { id } });
  if (!category) throw badUserInput(field, `category ${id} does not exist`);
  return category;
}

export async function requireBrand(tx: Tx, id: number, field: string) {
  const brand = await tx.brand.findUnique({ where: { id } });
  if (!brand) throw badUserInput(field, `brand ${id} does not exist`);
  return brand;
}
