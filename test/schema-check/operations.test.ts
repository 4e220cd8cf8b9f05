import { checkOperations } from "@emshop/tools/schema-check/operations-check";
import { describe, expect, it } from "vitest";
import { composeFixture, knownOperations } from "./fixtures";

describe("schema:check operations", () => {
  it("finds the storefront operations, the README example among them", () => {
    const files = knownOperations().map((operation) => operation.file);
    expect(files).toEqual(
      expect.arrayContaining([
        "test/operations/storefront-goods-list.graphql",
        "test/operations/storefront-goods-detail.graphql",
        "test/operations/storefront-categories.graphql",
        "test/operations/storefront-brands.graphql",
        "test/operations/storefront-banners.graphql",
        "test/operations/storefront-inventory.graphql",
      ]),
    );
  });

  it("names the file and position of an invalid or unparsable operation", () => {
    const { apiSchema } = composeFixture();
    const step = checkOperations(
      apiSchema,
      [
        { file: "ops/typo.graphql", source: "query Typo { goods(id: 1) { nmae } }" },
        { file: "ops/broken.graphql", source: "query Broken { goods(id: 1) { name }" },
        { file: "ops/ok.graphql", source: "query Ok { banners { id } }" },
      ],
      "ops/",
    );
    expect(step.status).toBe("failed");
    expect(step.findings.map((finding) => finding.message)).toEqual([
      expect.stringMatching(/^ops\/typo\.graphql:1:29 Cannot query field "nmae" on type "Goods"/),
      expect.stringMatching(/^ops\/broken\.graphql:1:\d+ Syntax Error/),
    ]);
  });

  it("fails when there are no operations to check", () => {
    expect(checkOperations(composeFixture().apiSchema, [], "ops/").status).toBe("failed");
  });
});
