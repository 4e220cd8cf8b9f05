import { toSupergraphFile } from "../compose";
import { type Finding, type StepResult, stepResult } from "./types";

export interface SupergraphDriftInput {
  /** Freshly composed supergraph SDL. */
  composedSdl: string;
  /** Content of the committed supergraph file; undefined when it does not exist. */
  committedSdl: string | undefined;
  /** The committed file as printed in the report, e.g. gateway/supergraph.graphql. */
  file: string;
}

const MAX_LINES_SHOWN = 10;

/**
 * The lines only one side has, as `+ composed` / `- committed`. A line-set
 * difference is enough for SDL, whose lines are unique almost everywhere, and
 * points at the changed fields without a diff library.
 */
export function changedLines(committed: string, composed: string): string[] {
  const before = committed.split("\n");
  const after = composed.split("\n");
  const beforeSet = new Set(before);
  const afterSet = new Set(after);
  return [
    ...before.filter((line) => !afterSet.has(line)).map((line) => `- ${line.trim()}`),
    ...after.filter((line) => !beforeSet.has(line)).map((line) => `+ ${line.trim()}`),
  ];
}

/** Step 2: the supergraph the gateway serves must be exactly the one the subgraphs compose to. */
export function checkSupergraphDrift({ composedSdl, committedSdl, file }: SupergraphDriftInput): StepResult {
  const expected = toSupergraphFile(composedSdl);
  const fix = "npm run compose";
  if (committedSdl === undefined) {
    return stepResult(
      "supergraph-drift",
      `${file} is missing`,
      [{ severity: "error", file, message: `${file} is missing` }],
      fix,
    );
  }
  if (committedSdl === expected) return stepResult("supergraph-drift", `${file} is up to date`, []);
  const lines = changedLines(committedSdl, expected);
  const findings: Finding[] = [
    {
      severity: "error",
      file,
      message:
        lines.length === 0
          ? `${file} differs from the composed supergraph (order or whitespace only)`
          : `${file} differs from the composed supergraph in ${lines.length} line(s) (- committed, + composed):\n${lines
              .slice(0, MAX_LINES_SHOWN)
              .join("\n")}${lines.length > MAX_LINES_SHOWN ? `\n… ${lines.length - MAX_LINES_SHOWN} more` : ""}`,
    },
  ];
  return stepResult(
    "supergraph-drift",
    `${file} is stale: the subgraphs were changed without recomposing`,
    findings,
    fix,
  );
}
