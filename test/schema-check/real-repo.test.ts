import { runSchemaCheck } from "@emshop/tools/schema-check/run";
import { describe, expect, it } from "vitest";

describe("schema:check on the repository itself", () => {
  it("composes the real subgraphs and every known operation is valid", async () => {
    // The Prisma step has its own tests (test/db); the rest runs exactly as `npm run schema:check` does.
    const report = await runSchemaCheck({ skip: ["prisma-migrations", "generated-types"] });
    const status = Object.fromEntries(report.steps.map((step) => [step.id, step.status]));
    expect(status.composition).toBe("passed");
    expect(report.steps.find((step) => step.id === "operations")).toMatchObject({ status: "passed", findings: [] });
  });
});
