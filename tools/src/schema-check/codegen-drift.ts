import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type CodegenConfig, generate } from "@graphql-codegen/cli";
import { displayPath, type SubgraphPaths } from "./paths";
import { type Finding, type StepResult, stepResult } from "./types";

const readOrUndefined = (path: string) => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
};

const firstDifferentLine = (a: string, b: string) => {
  const left = a.split("\n");
  const right = b.split("\n");
  const index = left.findIndex((line, i) => line !== right[i]);
  return (index === -1 ? left.length : index) + 1;
};

/**
 * Step 6: runs each subgraph's own codegen.ts in memory (the same config
 * `npm run codegen` uses, so the output is byte-identical) and compares it
 * with the committed generated files.
 */
export async function checkGeneratedTypes(
  subgraphs: Pick<SubgraphPaths, "name" | "dir" | "codegenConfigPath">[],
  root: string,
): Promise<StepResult> {
  const findings: Finding[] = [];
  let files = 0;
  for (const subgraph of subgraphs) {
    try {
      const config = ((await import(pathToFileURL(subgraph.codegenConfigPath).href)) as { default: CodegenConfig })
        .default;
      const outputs = await generate({ ...config, cwd: subgraph.dir, silent: true }, false);
      for (const { filename, content } of outputs) {
        files++;
        const path = join(subgraph.dir, filename);
        const file = displayPath(root, path);
        const committed = readOrUndefined(path);
        if (committed === undefined)
          findings.push({ severity: "error", file, subgraphs: [subgraph.name], message: `${file} is missing` });
        else if (committed !== content) {
          findings.push({
            severity: "error",
            file,
            subgraphs: [subgraph.name],
            message: `${file} is stale (first difference at line ${firstDifferentLine(committed, content)})`,
          });
        }
      }
    } catch (error) {
      findings.push({
        severity: "error",
        subgraphs: [subgraph.name],
        file: displayPath(root, subgraph.codegenConfigPath),
        message: `codegen failed for ${subgraph.name}: ${(error as Error).message}`,
      });
    }
  }
  const stale = findings.length;
  return stepResult(
    "generated-types",
    stale === 0 ? `${files} generated file(s) match the subgraph SDL` : `${stale} generated file(s) out of date`,
    findings,
    "npm run codegen",
  );
}
