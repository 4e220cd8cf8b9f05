/** The steps of `npm run schema:check`, in the order they run. */
export const STEP_IDS = [
  "composition",
  "supergraph-drift",
  "breaking-changes",
  "access-rules",
  "operations",
  "subscription-schema",
  "prisma-migrations",
  "generated-types",
] as const;

export type StepId = (typeof STEP_IDS)[number];
export type StepStatus = "passed" | "failed" | "skipped";
/** Only `error` fails a step; warnings and info are printed for the reader. */
export type Severity = "error" | "warning" | "info";
export type Criticality = "BREAKING" | "DANGEROUS" | "NON_BREAKING";

export interface Finding {
  severity: Severity;
  message: string;
  /** Composition error/hint code, or graphql-inspector change type. */
  code?: string;
  /** Subgraphs a composition error or hint comes from. */
  subgraphs?: string[];
  /** Schema coordinate of a change, e.g. `Goods.stocks` or `Query.goods.id`. */
  path?: string;
  /** File the finding is about, relative to the repository root. */
  file?: string;
  criticality?: Criticality;
  /** Reason from the allow file when a breaking change is accepted. */
  allowedBecause?: string;
}

export interface StepResult {
  id: StepId;
  title: string;
  status: StepStatus;
  /** One line: what was checked and the outcome. */
  summary: string;
  findings: Finding[];
  /** The command or action that fixes a failure. */
  fix?: string;
}

export const STEP_TITLES: Record<StepId, string> = {
  composition: "Composition",
  "supergraph-drift": "Supergraph drift",
  "breaking-changes": "Breaking changes",
  "access-rules": "Access rules",
  operations: "Operations",
  "subscription-schema": "Subscription schema",
  "generated-types": "Generated resolver types",
  "prisma-migrations": "Prisma ↔ migrations",
};

/** A step whose status follows from its findings: failed when any is an error. */
export function stepResult(id: StepId, summary: string, findings: Finding[], fix?: string): StepResult {
  const failed = findings.some((finding) => finding.severity === "error");
  return {
    id,
    title: STEP_TITLES[id],
    status: failed ? "failed" : "passed",
    summary,
    findings,
    ...(failed && fix ? { fix } : {}),
  };
}

export function skippedStep(id: StepId, reason: string): StepResult {
  return { id, title: STEP_TITLES[id], status: "skipped", summary: reason, findings: [] };
}
