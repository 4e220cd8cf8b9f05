import { type Change, ChangeType, CriticalityLevel, diff } from "@graphql-inspector/core";
import { buildSchema, type GraphQLSchema } from "graphql";
import { separatelyFetchedFields } from "./separately-fetched-fields";
import { type Finding, type StepResult, stepResult } from "./types";

/** One reviewed breaking change: matched by its path (e.g. `Goods.stocks`) or its exact message. */
export interface AllowEntry {
  path?: string;
  message?: string;
  /** Why the break is acceptable (who is affected, how they were told). Mandatory. */
  reason: string;
}

export interface AllowList {
  entries: AllowEntry[];
  /** Malformed entries; each fails the step, so an unreviewed entry cannot slip in. */
  problems: string[];
}

/** Parses gateway/breaking-changes.allow.json; a missing file is an empty list. */
export function parseAllowList(json: string | undefined): AllowList {
  if (json === undefined || json.trim() === "") return { entries: [], problems: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    return { entries: [], problems: [`not valid JSON: ${(error as Error).message}`] };
  }
  if (!Array.isArray(parsed)) return { entries: [], problems: ["must be a JSON array of { path | message, reason }"] };
  const entries: AllowEntry[] = [];
  const problems: string[] = [];
  parsed.forEach((raw: Record<string, unknown> | null, index) => {
    const { path, message, reason } = raw ?? {};
    if (typeof path !== "string" && typeof message !== "string") {
      problems.push(`entry ${index} needs a "path" or a "message"`);
    } else if (typeof reason !== "string" || reason.trim() === "") {
      problems.push(`entry ${index} (${path ?? message}) has no "reason"`);
    } else {
      entries.push({
        reason,
        ...(typeof path === "string" ? { path } : {}),
        ...(typeof message === "string" ? { message } : {}),
      });
    }
  });
  return { entries, problems };
}

const matches = (entry: AllowEntry, change: Change) =>
  (entry.path === undefined || entry.path === change.path) &&
  (entry.message === undefined || entry.message === change.message);

export interface BreakingChangesInput {
  /** The API schema composed from the subgraphs now. */
  apiSchema: GraphQLSchema;
  /** The committed baseline API schema SDL; undefined when it does not exist. */
  baselineSdl: string | undefined;
  allowList: AllowList;
  /** The supergraph the API schema comes from; enables the federation-aware rule below. */
  supergraphSdl?: string;
  /** Files as printed in the report. */
  baselineFile: string;
  allowFile: string;
  /** Allow entries another step (access rules) used: not stale even if no schema change matches them. */
  usedElsewhere?: Set<AllowEntry>;
}

/**
 * Every change between two API schemas, as graphql-inspector classifies it,
 * except that an output field the gateway fetches from another subgraph
 * (see separatelyFetchedFields) turning non-null is breaking, not safe.
 */
export async function apiSchemaChanges(
  baseline: GraphQLSchema,
  current: GraphQLSchema,
  supergraphSdl?: string,
): Promise<Change[]> {
  const changes = await diff(baseline, current);
  if (!supergraphSdl) return changes;
  const separatelyFetched = separatelyFetchedFields(supergraphSdl);
  return changes.map((change) => {
    const meta = change.meta as { typeName?: string; fieldName?: string; oldFieldType?: string; newFieldType?: string };
    const madeNonNull = change.type === ChangeType.FieldTypeChanged && meta.newFieldType === `${meta.oldFieldType}!`;
    if (!madeNonNull || !separatelyFetched.has(`${meta.typeName}.${meta.fieldName}`)) return change;
    const reason = "another subgraph resolves it, and when that subgraph fails only a nullable field degrades to null";
    return {
      ...change,
      message: `${change.message}: breaking here, ${reason}`,
      criticality: { level: CriticalityLevel.Breaking, reason },
    } as Change;
  });
}

/**
 * Step 3: classifies the changes against the baseline. Breaking changes fail
 * unless the allow file lists them with a reason; dangerous ones (e.g. a new
 * enum value) warn; safe ones (new fields, new optional arguments) are listed.
 */
export async function checkBreakingChanges(input: BreakingChangesInput): Promise<StepResult> {
  const fixBaseline = "npm run schema:baseline";
  if (input.baselineSdl === undefined) {
    return stepResult(
      "breaking-changes",
      `${input.baselineFile} is missing`,
      [{ severity: "error", file: input.baselineFile, message: "no baseline API schema to compare with" }],
      fixBaseline,
    );
  }
  const changes = await apiSchemaChanges(buildSchema(input.baselineSdl), input.apiSchema, input.supergraphSdl);
  const findings: Finding[] = input.allowList.problems.map((problem) => ({
    severity: "error",
    file: input.allowFile,
    message: problem,
  }));
  const used = new Set<AllowEntry>();
  const counts = { breaking: 0, allowed: 0, dangerous: 0, safe: 0 };
  for (const change of changes) {
    const level = change.criticality.level;
    const base = { code: change.type, criticality: level, message: change.message, ...pathOf(change) };
    if (level === CriticalityLevel.Breaking) {
      const allow = input.allowList.entries.find((entry) => matches(entry, change));
      if (allow) {
        used.add(allow);
        counts.allowed++;
        findings.push({ ...base, severity: "warning", allowedBecause: allow.reason });
      } else {
        counts.breaking++;
        findings.push({ ...base, severity: "error" });
      }
    } else if (level === CriticalityLevel.Dangerous) {
      counts.dangerous++;
      findings.push({ ...base, severity: "warning" });
    } else {
      counts.safe++;
      findings.push({ ...base, severity: "info" });
    }
  }
  for (const entry of input.allowList.entries) {
    if (!used.has(entry) && !input.usedElsewhere?.has(entry)) {
      findings.push({
        severity: "warning",
        file: input.allowFile,
        message: `allow entry ${entry.path ?? entry.message} matches no breaking change any more; remove it`,
      });
    }
  }
  const summary =
    changes.length === 0
      ? `API schema equals ${input.baselineFile}`
      : `${counts.breaking} breaking, ${counts.allowed} allowed breaking, ${counts.dangerous} dangerous, ${counts.safe} safe change(s) against ${input.baselineFile}`;
  const fix =
    `keep the old schema, or have the break reviewed: add {"path": "…", "reason": "…"} to ${input.allowFile}` +
    ` (or accept it with ${fixBaseline})`;
  return stepResult("breaking-changes", summary, findings, fix);
}

const pathOf = (change: Change) => (change.path ? { path: change.path } : {});
