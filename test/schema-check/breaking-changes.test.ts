import { checkBreakingChanges, parseAllowList } from "@emshop/tools/schema-check/breaking-changes";
import { checkOperations } from "@emshop/tools/schema-check/operations-check";
import { buildReport, formatReport } from "@emshop/tools/schema-check/report/format";
import type { StepResult } from "@emshop/tools/schema-check/types";
import type { GraphQLSchema } from "graphql";
import { describe, expect, it } from "vitest";
import { composeFixture, knownOperations, operationsLabel, realBaselineSdl, replace } from "./fixtures";

const baselineFile = "gateway/schema.baseline.graphql";
const allowFile = "gateway/breaking-changes.allow.json";

const breakingChanges = (apiSchema: GraphQLSchema, allowJson?: string, supergraphSdl?: string) =>
  checkBreakingChanges({
    apiSchema,
    ...(supergraphSdl ? { supergraphSdl } : {}),
    baselineSdl: realBaselineSdl(),
    allowList: parseAllowList(allowJson),
    baselineFile,
    allowFile,
  });

const errors = (step: StepResult) => step.findings.filter((finding) => finding.severity === "error");

describe("schema:check breaking changes and known operations", () => {
  it("removing a field used by a known operation: breaking change with its path, operation file named", async () => {
    const { apiSchema } = composeFixture({
      inventory: replace(/\s*"""\s*Units a storefront may sell[\s\S]*?"""\s*stocks: Int\n/, "\n"),
    });

    const changes = await breakingChanges(apiSchema);
    expect(changes.status).toBe("failed");
    expect(errors(changes)).toEqual([
      expect.objectContaining({ criticality: "BREAKING", path: "Goods.stocks", code: "FIELD_REMOVED" }),
    ]);

    const operations = checkOperations(apiSchema, knownOperations(), operationsLabel);
    expect(operations.status).toBe("failed");
    const failedFiles = errors(operations).map((finding) => finding.file);
    expect(failedFiles).toContain("test/operations/storefront-goods-list.graphql");
    expect(formatReport(buildReport([changes, operations]))).toMatch(
      /✗ BREAKING Goods\.stocks: Field 'stocks' was removed[\s\S]*test\/operations\/storefront-goods-list\.graphql:\d+:\d+ Cannot query field "stocks" on type "Goods"/,
    );
  });

  it("making a nullable argument required is breaking (and breaks the operation that omits it)", async () => {
    const { apiSchema } = composeFixture({
      goods: replace(/goodsList\(\s*filter: GoodsFilter\n/, "goodsList(filter: GoodsFilter!\n"),
    });
    const changes = await breakingChanges(apiSchema);
    expect(errors(changes)).toEqual([
      expect.objectContaining({
        criticality: "BREAKING",
        path: "Query.goodsList.filter",
        message: "Type for argument 'filter' on field 'Query.goodsList' changed from 'GoodsFilter' to 'GoodsFilter!'",
      }),
    ]);
    const operations = checkOperations(apiSchema, knownOperations(), operationsLabel);
    expect(errors(operations).map((finding) => finding.file)).toContain(
      "test/operations/storefront-goods-list.graphql",
    );
  });

  it("a field another subgraph resolves turning non-null (Goods.stocks Int -> Int!) is breaking", async () => {
    const { apiSchema, supergraphSdl } = composeFixture({ inventory: replace(/stocks: Int\n/, "stocks: Int!\n") });
    const changes = await breakingChanges(apiSchema, undefined, supergraphSdl);
    expect(changes.status).toBe("failed");
    expect(errors(changes)).toEqual([
      expect.objectContaining({
        criticality: "BREAKING",
        path: "Goods.stocks",
        message: expect.stringMatching(/^Field 'Goods\.stocks' changed type from 'Int' to 'Int!': breaking here/),
      }),
    ]);
  });

  it("a field of its own subgraph turning non-null stays safe (no partial failure to degrade)", async () => {
    const { apiSchema, supergraphSdl } = composeFixture({
      goods: replace("  parent: Category\n", "  parent: Category!\n"),
    });
    const changes = await breakingChanges(apiSchema, undefined, supergraphSdl);
    expect(changes.status).toBe("passed");
    expect(changes.findings).toEqual([
      expect.objectContaining({ criticality: "NON_BREAKING", path: "Category.parent", severity: "info" }),
    ]);
  });

  it("a breaking change listed in the allow file with a reason passes, as a warning", async () => {
    const { apiSchema } = composeFixture({
      goods: replace(/goodsList\(\s*filter: GoodsFilter\n/, "goodsList(filter: GoodsFilter!\n"),
    });
    const allow = JSON.stringify([{ path: "Query.goodsList.filter", reason: "storefront 2.0 always sends a filter" }]);
    const step = await breakingChanges(apiSchema, allow);
    expect(step.status).toBe("passed");
    expect(step.findings).toContainEqual(
      expect.objectContaining({ severity: "warning", allowedBecause: "storefront 2.0 always sends a filter" }),
    );
  });

  it("an allow entry without a reason fails", async () => {
    const { apiSchema } = composeFixture({
      goods: replace(/goodsList\(\s*filter: GoodsFilter\n/, "goodsList(filter: GoodsFilter!\n"),
    });
    const step = await breakingChanges(apiSchema, JSON.stringify([{ path: "Query.goodsList.filter" }]));
    expect(step.status).toBe("failed");
    expect(step.findings).toContainEqual(
      expect.objectContaining({ file: allowFile, message: expect.stringContaining('no "reason"') }),
    );
  });

  it("a safe change (an optional field and an optional argument) passes every check", async () => {
    const { apiSchema } = composeFixture({
      goods: replace("  brief: String!\n", '  brief: String!\n  "Weight in grams."\n  weight: Float\n'),
      inventory: replace("inventory(goodsId: ID!)", "inventory(goodsId: ID!, warehouse: String)"),
    });
    const changes = await breakingChanges(apiSchema);
    expect(changes.status).toBe("passed");
    expect(changes.findings.map(({ severity, criticality, path }) => ({ severity, criticality, path }))).toEqual(
      expect.arrayContaining([
        { severity: "info", criticality: "NON_BREAKING", path: "Goods.weight" },
        // graphql-inspector calls a new optional argument dangerous: a warning, not a failure.
        { severity: "warning", criticality: "DANGEROUS", path: "Query.inventory.warehouse" },
      ]),
    );
    expect(errors(changes)).toEqual([]);
    expect(checkOperations(apiSchema, knownOperations(), operationsLabel).status).toBe("passed");
  });

  it("fails when there is no baseline, telling how to create one", async () => {
    const step = await checkBreakingChanges({
      apiSchema: composeFixture().apiSchema,
      baselineSdl: undefined,
      allowList: parseAllowList(undefined),
      baselineFile,
      allowFile,
    });
    expect(step).toMatchObject({ status: "failed", fix: expect.stringContaining("schema:baseline") });
  });
});
