import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "@emshop/tools/schema-check/paths";
import type { SchemaCheckReport } from "@emshop/tools/schema-check/report/format";
import { afterEach, describe, expect, it } from "vitest";
import { replace, repoCopy } from "./fixtures";

const tsx = join(repoRoot, "node_modules", ".bin", "tsx");
const cli = join(repoRoot, "tools", "src", "cli", "schema-check.ts");

/** Runs the CLI as CI does, on a copy of the repository; resolves with exit code and parsed JSON. */
async function schemaCheck(root: string) {
  try {
    const { stdout } = await promisify(execFile)(tsx, [cli, "--json", "--root", root, "--skip", "generated-types"], {
      cwd: repoRoot,
    });
    return { code: 0, report: JSON.parse(stdout) as SchemaCheckReport };
  } catch (error) {
    const failure = error as { code: number; stdout: string };
    return { code: failure.code, report: JSON.parse(failure.stdout) as SchemaCheckReport };
  }
}

const copies: { remove(): void }[] = [];
afterEach(() => {
  for (const copy of copies.splice(0)) copy.remove();
});

describe("schema:check CLI --json", () => {
  it("exits 0 with every step passed on an unchanged copy", async () => {
    const copy = repoCopy();
    copies.push(copy);
    const { code, report } = await schemaCheck(copy.root);
    expect(report.ok).toBe(true);
    expect(code).toBe(0);
    expect(report.steps.map((step) => [step.id, step.status])).toEqual([
      ["composition", "passed"],
      ["supergraph-drift", "passed"],
      ["breaking-changes", "passed"],
      ["access-rules", "passed"],
      ["operations", "passed"],
      ["subscription-schema", "passed"],
      ["prisma-migrations", "skipped"],
      ["generated-types", "skipped"],
    ]);
  });

  it("exits 1 and reports each failing step when a field used by the storefront is removed", async () => {
    const copy = repoCopy({
      inventory: replace(/\s*"""\s*Units a storefront may sell[\s\S]*?"""\s*stocks: Int\n/, "\n"),
    });
    copies.push(copy);
    const { code, report } = await schemaCheck(copy.root);
    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    const step = (id: string) => report.steps.find((candidate) => candidate.id === id);
    expect(step("composition")?.status).toBe("passed");
    expect(step("supergraph-drift")).toMatchObject({ status: "failed", fix: "npm run compose" });
    expect(step("breaking-changes")?.findings).toContainEqual(
      expect.objectContaining({ severity: "error", criticality: "BREAKING", path: "Goods.stocks" }),
    );
    expect(step("operations")?.findings).toContainEqual(
      expect.objectContaining({ file: "test/operations/storefront-goods-list.graphql" }),
    );
  });
});
