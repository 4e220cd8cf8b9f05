import { execFile } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  type AccessRule,
  accessRulesFromSupergraph,
  checkAccessRules,
  loosens,
  printAccessRules,
} from "@emshop/tools/schema-check/access-rules";
import { parseAllowList } from "@emshop/tools/schema-check/breaking-changes";
import { repoRoot } from "@emshop/tools/schema-check/paths";
import type { SchemaCheckReport } from "@emshop/tools/schema-check/report/format";
import { formatReport } from "@emshop/tools/schema-check/report/format";
import { runSchemaCheck } from "@emshop/tools/schema-check/run";
import { afterEach, describe, expect, it } from "vitest";
import { composeFixture, realBaselineSdl, replace, repoCopy, type SdlEdits } from "./fixtures";

const baselineFile = "gateway/access-rules.baseline.json";
const allowFile = "gateway/breaking-changes.allow.json";

/** The access rules of the real subgraphs as baseline: the fixture's edit is then the only difference. */
const realRulesJson = () => {
  const { supergraphSdl, apiSchema } = composeFixture();
  return printAccessRules(accessRulesFromSupergraph(supergraphSdl, apiSchema));
};

const accessRules = (edits: SdlEdits, allowJson?: string) => {
  const { supergraphSdl, apiSchema } = composeFixture(edits);
  return checkAccessRules({
    supergraphSdl,
    apiSchema,
    baselineJson: realRulesJson(),
    baselineSdl: realBaselineSdl(),
    allowList: parseAllowList(allowJson),
    baselineFile,
    allowFile,
  }).step;
};

const adjustStockRule = (to: string) =>
  replace(/(adjustStock\([\s\S]*?\): Inventory!) @requiresScopes\(scopes: \[\["stock:write"\]\]\)/, `$1${to}`);

const copies: { remove(): void }[] = [];
afterEach(() => {
  for (const copy of copies.splice(0)) copy.remove();
});

describe("schema:check access rules", () => {
  it("the baseline records @requiresScopes per field, sorted", () => {
    const json = realRulesJson();
    expect(JSON.parse(json)).toMatchObject({
      "Mutation.adjustStock": { authenticated: false, scopes: [["stock:write"]] },
      "Query.stockMovements": { authenticated: false, scopes: [["stock:audit"]] },
    });
    expect(JSON.parse(json)).not.toHaveProperty("Query.inventory");
    const keys = Object.keys(JSON.parse(json));
    expect(keys).toEqual([...keys].sort());
  });

  it("removing @requiresScopes from Mutation.adjustStock is BREAKING, naming path, old and new rule and the fix", () => {
    const step = accessRules({ inventory: adjustStockRule("") });
    expect(step.status).toBe("failed");
    expect(step.findings).toEqual([
      expect.objectContaining({
        severity: "error",
        criticality: "BREAKING",
        code: "ACCESS_RULE_REMOVED",
        path: "Mutation.adjustStock",
        message: expect.stringContaining('was @requiresScopes(scopes: [["stock:write"]]), now public'),
      }),
    ]);
    expect(step.fix).toContain("npm run schema:baseline");
    expect(formatReport({ ok: false, counts: { passed: 0, failed: 1, skipped: 0 }, steps: [step] })).toMatch(
      /✗ BREAKING Mutation\.adjustStock: access rule removed/,
    );
  });

  it("an alternative added ([[stock:write]] → [[stock:write], [stock:sell]]) is BREAKING", () => {
    const step = accessRules({
      inventory: adjustStockRule(' @requiresScopes(scopes: [["stock:write"], ["stock:sell"]])'),
    });
    expect(step.status).toBe("failed");
    expect(step.findings).toEqual([
      expect.objectContaining({ criticality: "BREAKING", code: "ACCESS_RULE_LOOSENED", path: "Mutation.adjustStock" }),
    ]);
  });

  it("requiresScopes → only @authenticated is BREAKING", () => {
    const step = accessRules({
      inventory: (sdl) =>
        adjustStockRule(" @authenticated")(replace('"@requiresScopes"]', '"@requiresScopes", "@authenticated"]')(sdl)),
    });
    expect(step.findings).toEqual([
      expect.objectContaining({
        criticality: "BREAKING",
        path: "Mutation.adjustStock",
        message: expect.stringContaining("now @authenticated"),
      }),
    ]);
  });

  it("a scope added to the AND set ([[stock:write, stock:audit]]) is DANGEROUS, not failing", () => {
    const step = accessRules({
      inventory: adjustStockRule(' @requiresScopes(scopes: [["stock:write", "stock:audit"]])'),
    });
    expect(step.status).toBe("passed");
    expect(step.findings).toEqual([
      expect.objectContaining({
        severity: "warning",
        criticality: "DANGEROUS",
        code: "ACCESS_RULE_TIGHTENED",
        path: "Mutation.adjustStock",
        message: expect.stringContaining("npm run schema:baseline"),
      }),
    ]);
  });

  it("a rule added to a public query is DANGEROUS", () => {
    const step = accessRules({
      inventory: replace(
        "inventory(goodsId: ID!): Inventory\n",
        'inventory(goodsId: ID!): Inventory @requiresScopes(scopes: [["stock:read"]])\n',
      ),
    });
    expect(step.status).toBe("passed");
    expect(step.findings).toEqual([
      expect.objectContaining({ criticality: "DANGEROUS", code: "ACCESS_RULE_ADDED", path: "Query.inventory" }),
    ]);
  });

  it("unchanged rules: no finding", () => {
    expect(accessRules({})).toMatchObject({ status: "passed", findings: [] });
  });

  it("a new field with a rule is not a change of access", () => {
    const step = accessRules({
      inventory: replace(
        "inventory(goodsId: ID!): Inventory\n",
        'inventory(goodsId: ID!): Inventory\n  stockAudit(goodsId: ID!): Int @requiresScopes(scopes: [["stock:audit"]])\n',
      ),
    });
    expect(step).toMatchObject({ status: "passed", findings: [] });
  });

  it("a loosening listed in the allow file with a reason passes as allowed", () => {
    const allow = JSON.stringify([{ path: "Mutation.adjustStock", reason: "the POS terminals adjust stock too" }]);
    const step = accessRules(
      { inventory: adjustStockRule(' @requiresScopes(scopes: [["stock:write"], ["stock:sell"]])') },
      allow,
    );
    expect(step.status).toBe("passed");
    expect(step.findings).toEqual([
      expect.objectContaining({
        severity: "warning",
        criticality: "BREAKING",
        path: "Mutation.adjustStock",
        allowedBecause: "the POS terminals adjust stock too",
      }),
    ]);
  });

  it("loosens: (a AND b) OR c semantics", () => {
    const rule = (scopes: string[][] | null, authenticated = false): AccessRule => ({ authenticated, scopes });
    expect(loosens(rule([["a", "b"]]), rule([["a"]]))).toBe(true);
    expect(loosens(rule([["a"]]), rule([["a", "b"]]))).toBe(false);
    expect(loosens(rule([["a"]]), rule([["a"], ["c"]]))).toBe(true);
    expect(loosens(rule([["a"], ["c"]]), rule([["a"]]))).toBe(false);
    expect(loosens(rule(null, true), rule(null))).toBe(true);
    expect(loosens(rule(null), rule(null, true))).toBe(false);
    expect(loosens(rule([["a"]]), rule(null, true))).toBe(true);
    expect(loosens(rule(null, true), rule([["a"]]))).toBe(false);
  });

  it("runs as the step after breaking changes on a copy; an allow entry it uses is not called stale", async () => {
    const copy = repoCopy({ inventory: adjustStockRule("") });
    copies.push(copy);
    const failing = await runSchemaCheck({ root: copy.root, skip: ["generated-types"] });
    expect(failing.steps.map((step) => step.id).indexOf("access-rules")).toBe(
      failing.steps.map((step) => step.id).indexOf("breaking-changes") + 1,
    );
    expect(failing.steps.find((step) => step.id === "access-rules")).toMatchObject({
      status: "failed",
      findings: [expect.objectContaining({ path: "Mutation.adjustStock", criticality: "BREAKING" })],
    });

    const allow = [{ path: "Mutation.adjustStock", reason: "adjustStock becomes a public demo endpoint" }];
    writeFileSync(join(copy.root, allowFile), JSON.stringify(allow));
    const allowed = await runSchemaCheck({ root: copy.root, skip: ["generated-types"] });
    // (supergraph-drift fails too: the copy's subgraph changed without `npm run compose`.)
    expect(allowed.steps.find((step) => step.id === "access-rules")).toMatchObject({
      status: "passed",
      findings: [expect.objectContaining({ allowedBecause: "adjustStock becomes a public demo endpoint" })],
    });
    expect(allowed.steps.find((step) => step.id === "breaking-changes")?.findings).toEqual([]);
  });

  it("fails when the baseline is missing, telling how to create one", async () => {
    const copy = repoCopy();
    copies.push(copy);
    rmSync(join(copy.root, "gateway/access-rules.baseline.json"));
    const report = await runSchemaCheck({ root: copy.root, skip: ["generated-types"] });
    expect(report.steps.find((step) => step.id === "access-rules")).toMatchObject({
      status: "failed",
      fix: expect.stringContaining("npm run schema:baseline"),
    });
  });

  it("the CLI exits 1 on a loosening, reporting it in --json", async () => {
    const copy = repoCopy({
      inventory: adjustStockRule(' @requiresScopes(scopes: [["stock:write"], ["stock:sell"]])'),
    });
    copies.push(copy);
    const tsx = join(repoRoot, "node_modules", ".bin", "tsx");
    const cli = join(repoRoot, "tools", "src", "cli", "schema-check.ts");
    // Only the steps this change concerns; supergraph-drift would fail as well (the copy was not recomposed).
    const args = [cli, "--json", "--root", copy.root, "--skip", "supergraph-drift,generated-types"];
    const result = await promisify(execFile)(tsx, args, { cwd: repoRoot }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as SchemaCheckReport;
    const failed = report.steps.filter((step) => step.status === "failed").map((step) => step.id);
    expect(failed).toEqual(["access-rules"]);
    expect(report.steps.find((step) => step.id === "access-rules")?.findings).toContainEqual(
      expect.objectContaining({ severity: "error", criticality: "BREAKING", path: "Mutation.adjustStock" }),
    );
  });
});
