import { type StepResult, stepResult } from "./types";

export type PrismaDriftResult = { database: string; differences: string[] }[];
export type PrismaDriftRunner = () => Promise<PrismaDriftResult>;

/** Loaded on demand: it starts in-memory PGlite databases, which fixture tests never need. */
const defaultRunner: PrismaDriftRunner = async () =>
  (await import("@emshop/db/schema-drift")).checkPrismaMigrationDrift();

/** Step 5: the SQL migrations and the Prisma models must describe the same tables. */
export async function checkPrismaMigrations(run: PrismaDriftRunner = defaultRunner): Promise<StepResult> {
  let results: PrismaDriftResult;
  try {
    results = await run();
  } catch (error) {
    return stepResult("prisma-migrations", "the drift check could not run", [
      { severity: "error", message: (error as Error).message },
    ]);
  }
  const findings = results.flatMap(({ database, differences }) =>
    differences.map((difference) => ({ severity: "error" as const, message: `${database}: ${difference}` })),
  );
  const databases = results.map((result) => result.database).join(", ");
  return stepResult(
    "prisma-migrations",
    findings.length === 0
      ? `migrations and Prisma models agree (${databases})`
      : `${findings.length} difference(s) between migrations and Prisma models`,
    findings,
    "add a SQL migration under migrations/<database>/ or change prisma/<database>/schema.prisma so that both agree",
  );
}
