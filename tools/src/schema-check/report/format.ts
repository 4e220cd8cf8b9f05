import type { Finding, StepResult } from "../types";

export interface SchemaCheckReport {
  /** True only when no step failed. */
  ok: boolean;
  counts: { passed: number; failed: number; skipped: number };
  steps: StepResult[];
}

export function buildReport(steps: StepResult[]): SchemaCheckReport {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const step of steps) counts[step.status]++;
  return { ok: counts.failed === 0, counts, steps };
}

const STATUS_ICON = { passed: "✓", failed: "✗", skipped: "-" } as const;
const SEVERITY_ICON = { error: "✗", warning: "!", info: "·" } as const;
const CRITICALITY_LABEL = { BREAKING: "BREAKING", DANGEROUS: "DANGEROUS", NON_BREAKING: "SAFE" } as const;

/** One finding as a line (or a few, for multi-line messages), e.g. `✗ BREAKING Goods.stocks: Field 'stocks' was removed …`. */
export function formatFinding(finding: Finding): string {
  const parts: string[] = [SEVERITY_ICON[finding.severity]];
  if (finding.criticality) {
    parts.push(CRITICALITY_LABEL[finding.criticality]);
    if (finding.path) parts.push(`${finding.path}:`);
  } else {
    if (finding.code) parts.push(finding.severity === "warning" ? `hint ${finding.code}` : finding.code);
    if (finding.subgraphs?.length) parts.push(`[${finding.subgraphs.join(", ")}]`);
  }
  parts.push(finding.message);
  const text = parts.join(" ") + (finding.allowedBecause ? ` (allowed: ${finding.allowedBecause})` : "");
  return text.split("\n").join("\n      ");
}

/** The report for a person: one section per step, then a summary line. */
export function formatReport(report: SchemaCheckReport): string {
  const lines = ["Schema checks", ""];
  for (const step of report.steps) {
    lines.push(`${STATUS_ICON[step.status]} ${step.title}: ${step.summary}`);
    for (const finding of step.findings) lines.push(`    ${formatFinding(finding)}`);
    if (step.fix) lines.push(`    → fix: ${step.fix}`);
  }
  const { passed, failed, skipped } = report.counts;
  lines.push(
    "",
    `${passed} passed, ${failed} failed, ${skipped} skipped: schema:check ${report.ok ? "passed" : "FAILED"}`,
  );
  return `${lines.join("\n")}\n`;
}

/** The report for a machine: one JSON document. */
export const formatJson = (report: SchemaCheckReport) => `${JSON.stringify(report, null, 2)}\n`;
