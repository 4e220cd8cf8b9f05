import { existsSync, readFileSync } from "node:fs";
import type { ServiceDefinition } from "@apollo/federation-internals";
import { parse } from "graphql";
import { type AccessRulesCheck, checkAccessRules } from "./access-rules";
import { apiSchemaFromSupergraph } from "./api-schema";
import { checkBreakingChanges, parseAllowList } from "./breaking-changes";
import { checkGeneratedTypes } from "./codegen-drift";
import { type CompositionCheck, checkComposition } from "./compose-check";
import { checkOperations, loadOperationFiles } from "./operations-check";
import { displayPath, repoRoot, type SchemaCheckPaths, schemaCheckPaths } from "./paths";
import { checkPrismaMigrations, type PrismaDriftRunner } from "./prisma-drift";
import { buildReport, type SchemaCheckReport } from "./report/format";
import { checkSubscriptionSchema } from "./subscription-schema";
import { checkSupergraphDrift } from "./supergraph-drift";
import { type Finding, type StepId, type StepResult, skippedStep, stepResult } from "./types";

export interface SchemaCheckOptions {
  /** Repository root to read every file from (default: this repository); tests pass a copy. */
  root?: string;
  /** Steps not to run, e.g. ["prisma-migrations"]. */
  skip?: StepId[];
  /** Replaces the Prisma drift check (default: checkPrismaMigrationDrift from @emshop/db). */
  prismaDrift?: PrismaDriftRunner;
}

const readIfExists = (path: string) => (existsSync(path) ? readFileSync(path, "utf8") : undefined);

/** Parses each subgraph's SDL; a syntax error is reported like a composition error, with its subgraph. */
export function loadSubgraphs(paths: SchemaCheckPaths): { definitions: ServiceDefinition[]; syntaxErrors: Finding[] } {
  const definitions: ServiceDefinition[] = [];
  const syntaxErrors: Finding[] = [];
  for (const { name, url, sdlPath } of paths.subgraphs) {
    try {
      definitions.push({ name, url, typeDefs: parse(readFileSync(sdlPath, "utf8")) });
    } catch (error) {
      const message = `${displayPath(paths.root, sdlPath)}: ${(error as Error).message}`;
      syntaxErrors.push({ severity: "error", code: "GRAPHQL_PARSE_FAILED", subgraphs: [name], message });
    }
  }
  return { definitions, syntaxErrors };
}

/** Runs every step; steps that need the composed schema are skipped when composition fails. */
export async function runSchemaCheck(options: SchemaCheckOptions = {}): Promise<SchemaCheckReport> {
  const paths = schemaCheckPaths(options.root ?? repoRoot);
  const skip = new Set(options.skip ?? []);
  const show = (path: string) => displayPath(paths.root, path);
  const steps: StepResult[] = [];
  const run = async (id: StepId, step: () => StepResult | Promise<StepResult>) => {
    steps.push(skip.has(id) ? skippedStep(id, "skipped (--skip)") : await step());
  };

  const { definitions, syntaxErrors } = loadSubgraphs(paths);
  const composition: CompositionCheck =
    syntaxErrors.length > 0
      ? { step: stepResult("composition", "a subgraph's SDL does not parse", syntaxErrors, "fix the SDL syntax") }
      : checkComposition(definitions);
  steps.push(composition.step);
  const { supergraphSdl } = composition;
  const apiSchema = supergraphSdl ? apiSchemaFromSupergraph(supergraphSdl) : undefined;
  const needsComposition = (id: StepId) => skippedStep(id, "skipped: composition failed");

  await run("supergraph-drift", () =>
    supergraphSdl
      ? checkSupergraphDrift({
          composedSdl: supergraphSdl,
          committedSdl: readIfExists(paths.supergraph),
          file: show(paths.supergraph),
        })
      : needsComposition("supergraph-drift"),
  );
  const allowList = parseAllowList(readIfExists(paths.allowList));
  const baselineSdl = readIfExists(paths.baseline);
  // Computed first so that allow entries it uses are not reported stale by breaking-changes.
  const access: AccessRulesCheck | undefined =
    supergraphSdl && apiSchema && !skip.has("access-rules")
      ? checkAccessRules({
          supergraphSdl,
          apiSchema,
          baselineJson: readIfExists(paths.accessRules),
          baselineSdl,
          allowList,
          baselineFile: show(paths.accessRules),
          allowFile: show(paths.allowList),
        })
      : undefined;
  await run("breaking-changes", () =>
    apiSchema
      ? checkBreakingChanges({
          apiSchema,
          supergraphSdl,
          baselineSdl,
          allowList,
          baselineFile: show(paths.baseline),
          allowFile: show(paths.allowList),
          ...(access ? { usedElsewhere: access.usedAllowEntries } : {}),
        })
      : needsComposition("breaking-changes"),
  );
  await run("access-rules", () => access?.step ?? needsComposition("access-rules"));
  await run("operations", () =>
    apiSchema
      ? checkOperations(apiSchema, loadOperationFiles(paths.operationsDir, paths.root), `${show(paths.operationsDir)}/`)
      : needsComposition("operations"),
  );
  // Against the committed supergraph (what the gateway serves beside it), so it runs when composition fails too.
  await run("subscription-schema", () =>
    checkSubscriptionSchema({
      subscriptionSdl: readIfExists(paths.subscriptionSchema),
      supergraphSdl: readIfExists(paths.supergraph),
      file: show(paths.subscriptionSchema),
      supergraphFile: show(paths.supergraph),
    }),
  );
  await run("prisma-migrations", () =>
    // The Prisma check reads this repository's prisma/ and migrations/ folders, not a copy's.
    paths.root === repoRoot || options.prismaDrift
      ? checkPrismaMigrations(options.prismaDrift)
      : skippedStep("prisma-migrations", "skipped: only runs on the repository itself, not on a copy (--root)"),
  );
  await run("generated-types", () => checkGeneratedTypes(paths.subgraphs, paths.root));
  return buildReport(steps);
}
