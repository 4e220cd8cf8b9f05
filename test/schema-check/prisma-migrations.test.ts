import { checkPrismaMigrations } from "@emshop/tools/schema-check/prisma-drift";
import { describe, expect, it } from "vitest";

// The drift detection itself is tested in test/db/prisma-drift.test.ts; this is how schema:check reports it.
describe("schema:check Prisma ↔ migrations", () => {
  it("passes when every database agrees with its Prisma models", async () => {
    const step = await checkPrismaMigrations(async () => [
      { database: "goods", differences: [] },
      { database: "inventory", differences: [] },
    ]);
    expect(step).toMatchObject({ status: "passed", summary: "migrations and Prisma models agree (goods, inventory)" });
  });

  it("fails with each difference, prefixed by its database", async () => {
    const step = await checkPrismaMigrations(async () => [
      { database: "goods", differences: ["column goods.weight exists only in the Prisma schema"] },
    ]);
    expect(step.status).toBe("failed");
    expect(step.findings).toEqual([
      { severity: "error", message: "goods: column goods.weight exists only in the Prisma schema" },
    ]);
  });

  it("fails when the check cannot run", async () => {
    const step = await checkPrismaMigrations(async () => {
      throw new Error("migration 0002 failed");
    });
    expect(step).toMatchObject({ status: "failed", findings: [{ message: "migration 0002 failed" }] });
  });
});
