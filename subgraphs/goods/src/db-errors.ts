import { Prisma } from "@emshop/db/goods";
import type { GraphQLError } from "graphql";

/** The PostgreSQL error (SQLSTATE, message) behind a Prisma error, when the driver adapter reported one. */
function driverCause(error: Prisma.PrismaClientKnownRequestError) {
  const adapterError = error.meta?.driverAdapterError as
    | { cause?: { originalCode?: unknown; originalMessage?: unknown } }
    | undefined;
  return adapterError?.cause ?? {};
}

const sqlState = (error: Prisma.PrismaClientKnownRequestError) => String(driverCause(error).originalCode ?? "");

// PostgreSQL reports ON DELETE RESTRICT as 23001 (which Prisma passes through as P2039 on PGlite)
// and other foreign-key violations as 23503 (P2003): both mean "another row depends on this one".
const isForeignKeyViolation = (error: Prisma.PrismaClientKnownRequestError) =>
  error.code === "P2003" || ["23503", "23001"].includes(sqlState(error));

const isUniqueViolation = (error: Prisma.PrismaClientKnownRequestError) =>
  error.code === "P2002" || sqlState(error) === "23505";

/** What to throw instead of a database constraint error. */
export interface ConstraintErrors {
  /** Gets the database's message, which names the constraint (e.g. `goods_brand_id_fkey`). */
  foreignKey?: (detail: string) => GraphQLError;
  unique?: () => GraphQLError;
  /** A row vanished between the check and the write (Prisma P2025). */
  missing?: () => GraphQLError;
}

/**
 * Runs `work`, turning constraint violations into coded errors. The resolvers
 * check before writing, so this only fires when a concurrent write slipped in
 * between the check and the write; it must then not surface as a crash.
 */
export async function translateConstraintErrors<T>(errors: ConstraintErrors, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError) {
      const replacement =
        (isForeignKeyViolation(error) &&
          errors.foreignKey?.(String(driverCause(error).originalMessage ?? error.message))) ||
        (isUniqueViolation(error) && errors.unique?.()) ||
        (error.code === "P2025" && errors.missing?.());
      if (replacement) throw replacement;
    }
    throw error;
  }
}
