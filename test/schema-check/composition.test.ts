import { checkComposition } from "@emshop/tools/schema-check/compose-check";
import { formatFinding } from "@emshop/tools/schema-check/report/format";
import { describe, expect, it } from "vitest";
import { fixtureSubgraphs, replace } from "./fixtures";

describe("schema:check composition", () => {
  it("composes the real subgraphs", () => {
    const { step, supergraphSdl } = checkComposition(fixtureSubgraphs());
    expect(step.status).toBe("passed");
    expect(supergraphSdl).toContain("join__Graph");
  });

  it("fails when the @key field has a different type in the two subgraphs, naming code and subgraphs", () => {
    const { step, supergraphSdl } = checkComposition(
      fixtureSubgraphs({ inventory: replace(/(type Goods @key\(fields: "id"\) \{\s*)id: ID!/, "$1id: Int!") }),
    );
    expect(supergraphSdl).toBeUndefined();
    expect(step.status).toBe("failed");
    const error = step.findings.find((finding) => finding.code === "FIELD_TYPE_MISMATCH");
    expect(error).toMatchObject({ severity: "error", subgraphs: ["goods", "inventory"] });
    expect(error?.message).toContain('"Goods.id"');
    expect(formatFinding(error ?? { severity: "error", message: "" })).toMatch(
      /^✗ FIELD_TYPE_MISMATCH \[goods, inventory\] Type of field "Goods.id" is incompatible/,
    );
  });

  it("names the one subgraph whose own SDL is invalid", () => {
    const { step } = checkComposition(
      fixtureSubgraphs({ inventory: replace(/stocks: Int\n/, "stocks: StockLevel\n") }),
    );
    expect(step.status).toBe("failed");
    expect(step.findings.filter((finding) => finding.severity === "error")).toEqual([
      expect.objectContaining({ subgraphs: ["inventory"], message: expect.stringContaining("StockLevel") }),
    ]);
  });

  it("prints composition hints as warnings without failing", () => {
    const { step, supergraphSdl } = checkComposition(
      fixtureSubgraphs({ inventory: replace(/"An ISO-8601 date-time string in UTC[^"]*"/, '"A timestamp."') }),
    );
    expect(supergraphSdl).toBeDefined();
    expect(step.status).toBe("passed");
    const hint = step.findings.find((finding) => finding.code === "INCONSISTENT_DESCRIPTION");
    expect(hint).toMatchObject({ severity: "warning", subgraphs: expect.arrayContaining(["inventory"]) });
    expect(formatFinding(hint ?? { severity: "warning", message: "" })).toMatch(/^! hint INCONSISTENT_DESCRIPTION \[/);
  });
});
