import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type GraphQLError, type GraphQLSchema, Kind, parse, validate } from "graphql";
import { displayPath } from "./paths";
import { type Finding, type StepResult, stepResult } from "./types";

/** One file of known client operations. */
export interface OperationFile {
  /** As printed in the report, e.g. test/operations/storefront-goods-list.graphql. */
  file: string;
  source: string;
}

/** Every .graphql/.gql file under `dir` (recursively), sorted by path. */
export function loadOperationFiles(dir: string, root: string): OperationFile[] {
  let entries: string[];
  try {
    entries = readdirSync(dir, { recursive: true, encoding: "utf8" });
  } catch {
    return [];
  }
  return entries
    .filter((entry) => /\.(graphql|gql)$/.test(entry))
    .sort()
    .map((entry) => ({ file: displayPath(root, join(dir, entry)), source: readFileSync(join(dir, entry), "utf8") }));
}

const at = (error: GraphQLError) => {
  const location = error.locations?.[0];
  return location ? `:${location.line}:${location.column}` : "";
};

/**
 * Step 4: every operation the storefront and the admin send must still be
 * valid against the API schema. Each file is validated on its own, so the
 * fragments an operation uses live in the same file.
 */
export function checkOperations(apiSchema: GraphQLSchema, files: OperationFile[], dirLabel: string): StepResult {
  const findings: Finding[] = [];
  let operations = 0;
  if (files.length === 0) {
    findings.push({ severity: "error", file: dirLabel, message: "no .graphql operation files found" });
  }
  for (const { file, source } of files) {
    let document: ReturnType<typeof parse>;
    try {
      document = parse(source);
    } catch (error) {
      findings.push({
        severity: "error",
        file,
        message: `${file}${at(error as GraphQLError)} ${(error as Error).message}`,
      });
      continue;
    }
    const names = document.definitions.flatMap((definition) =>
      definition.kind === Kind.OPERATION_DEFINITION ? [definition.name?.value ?? "(anonymous)"] : [],
    );
    operations += names.length;
    if (names.length === 0) findings.push({ severity: "error", file, message: `${file} contains no operation` });
    for (const error of validate(apiSchema, document)) {
      findings.push({ severity: "error", file, message: `${file}${at(error)} ${error.message}` });
    }
  }
  const failedFiles = new Set(findings.map((finding) => finding.file)).size;
  const summary =
    failedFiles === 0
      ? `${operations} operation(s) in ${files.length} file(s) under ${dirLabel} are valid`
      : `${failedFiles} of ${files.length} operation file(s) under ${dirLabel} are invalid against the API schema`;
  return stepResult(
    "operations",
    summary,
    findings,
    "keep the schema compatible with these operations, or update the operations together with their clients",
  );
}
