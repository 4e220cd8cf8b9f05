// `npm run schema:check`: the CI gate for subgraph changes. Exit code 0 only if every step passes.
//   --json          one JSON document on stdout instead of the report
//   --skip a,b      steps to skip (composition always runs)
//   --root <dir>    check a copy of the repository instead of this one
import { parseArgs } from "node:util";
import { formatJson, formatReport } from "../schema-check/report/format";
import { runSchemaCheck } from "../schema-check/run";
import { STEP_IDS, type StepId } from "../schema-check/types";

let values: { json?: boolean; skip?: string[]; root?: string };
try {
  ({ values } = parseArgs({
    options: {
      json: { type: "boolean" },
      skip: { type: "string", multiple: true },
      root: { type: "string" },
    },
  }));
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
const skip = (values.skip ?? []).flatMap((value) => value.split(",")).filter(Boolean);
const unknown = skip.filter((id) => !(STEP_IDS as readonly string[]).includes(id));
if (unknown.length > 0) {
  console.error(`unknown step(s) ${unknown.join(", ")}; steps are ${STEP_IDS.join(", ")}`);
  process.exit(2);
}

const report = await runSchemaCheck({ skip: skip as StepId[], ...(values.root ? { root: values.root } : {}) });
process.stdout.write(values.json ? formatJson(report) : formatReport(report));
process.exitCode = report.ok ? 0 : 1;
