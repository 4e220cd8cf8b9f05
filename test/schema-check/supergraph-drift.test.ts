import { toSupergraphFile } from "@emshop/tools/compose";
import { checkSupergraphDrift } from "@emshop/tools/schema-check/supergraph-drift";
import { describe, expect, it } from "vitest";
import { composeFixture, replace } from "./fixtures";

const file = "gateway/supergraph.graphql";
const addReorderLevel = replace(/(type Inventory \{\n)/, "$1  reorderLevel: Int\n");

describe("schema:check supergraph drift", () => {
  it("passes when the committed supergraph is the composed one", () => {
    const { supergraphSdl } = composeFixture();
    const step = checkSupergraphDrift({
      composedSdl: supergraphSdl,
      committedSdl: toSupergraphFile(supergraphSdl),
      file,
    });
    expect(step).toMatchObject({ status: "passed", findings: [] });
  });

  it("fails for an edited subgraph whose supergraph was not recomposed, and names the fix", () => {
    const committed = toSupergraphFile(composeFixture().supergraphSdl);
    const edited = composeFixture({ inventory: addReorderLevel });
    const step = checkSupergraphDrift({ composedSdl: edited.supergraphSdl, committedSdl: committed, file });
    expect(step.status).toBe("failed");
    expect(step.fix).toBe("npm run compose");
    expect(step.findings[0]?.file).toBe(file);
    expect(step.findings[0]?.message).toContain("+ reorderLevel: Int");
  });

  it("fails when the supergraph file is missing", () => {
    const step = checkSupergraphDrift({ composedSdl: composeFixture().supergraphSdl, committedSdl: undefined, file });
    expect(step).toMatchObject({ status: "failed", fix: "npm run compose" });
  });
});
