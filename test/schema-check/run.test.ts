import { runSchemaCheck } from "@emshop/tools/schema-check/run";
import { afterEach, describe, expect, it } from "vitest";
import { repoCopy } from "./fixtures";

const copies: { remove(): void }[] = [];
afterEach(() => {
  for (const copy of copies.splice(0)) copy.remove();
});

describe("schema:check on a copy of the repository", () => {
  it("reports a subgraph SDL that does not parse as a composition error of that subgraph, and skips what needs it", async () => {
    const copy = repoCopy({ goods: (sdl) => sdl.replace("type Brand {", "type Brand {{") });
    copies.push(copy);
    const report = await runSchemaCheck({ root: copy.root, skip: ["generated-types"] });
    expect(report.ok).toBe(false);
    expect(report.steps[0]).toMatchObject({
      id: "composition",
      status: "failed",
      findings: [
        { code: "GRAPHQL_PARSE_FAILED", subgraphs: ["goods"], message: expect.stringContaining("Syntax Error") },
      ],
    });
    expect(report.steps.map((step) => step.status)).toEqual([
      "failed",
      "skipped",
      "skipped",
      "skipped",
      "skipped",
      // subscription-schema compares with the committed supergraph, not the composed one.
      "passed",
      "skipped",
      "skipped",
    ]);
  });
});
