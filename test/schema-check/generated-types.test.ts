import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkGeneratedTypes } from "@emshop/tools/schema-check/codegen-drift";
import { schemaCheckPaths } from "@emshop/tools/schema-check/paths";
import { generate } from "@graphql-codegen/cli";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { realSdl, repoCopy } from "./fixtures";

describe("schema:check generated resolver types", () => {
  let copy: ReturnType<typeof repoCopy>;
  let inventory: ReturnType<typeof schemaCheckPaths>["subgraphs"][number];

  beforeAll(async () => {
    copy = repoCopy();
    const subgraph = schemaCheckPaths(copy.root).subgraphs.find((candidate) => candidate.name === "inventory");
    if (!subgraph) throw new Error("no inventory subgraph");
    inventory = subgraph;
    // What `npm run codegen` writes, so the test holds even while the real generated file is being edited.
    const config = (await import(subgraph.codegenConfigPath)).default;
    for (const output of await generate({ ...config, cwd: subgraph.dir, silent: true }, false)) {
      writeFileSync(join(subgraph.dir, output.filename), output.content);
    }
  });
  afterAll(() => copy.remove());

  it("passes when the generated file is what codegen produces from the SDL", async () => {
    expect(await checkGeneratedTypes([inventory], copy.root)).toMatchObject({ status: "passed", findings: [] });
  });

  it("fails when the SDL changed but codegen was not run, naming the file and the fix", async () => {
    writeFileSync(inventory.sdlPath, realSdl("inventory").replace(/(type Inventory \{\n)/, "$1  reorderLevel: Int\n"));
    const step = await checkGeneratedTypes([inventory], copy.root);
    expect(step).toMatchObject({ status: "failed", fix: "npm run codegen" });
    expect(step.findings).toEqual([
      expect.objectContaining({
        subgraphs: ["inventory"],
        file: "subgraphs/inventory/src/generated/resolvers-types.ts",
        message: expect.stringMatching(/is stale \(first difference at line \d+\)/),
      }),
    ]);
  });
});
