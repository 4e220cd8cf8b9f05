// `npm run schema:baseline`: accepts the current API schema and the access rules
// (@authenticated/@requiresScopes per field) as the baselines that schema:check compares with. Run it only after the changes were reviewed.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { buildSchema } from "graphql";
import { composeSupergraph } from "../compose";
import {
  accessRulesFromSupergraph,
  describeRule,
  loosens,
  parseAccessRules,
  printAccessRules,
} from "../schema-check/access-rules";
import { apiSchemaFromSupergraph, printApiSchema } from "../schema-check/api-schema";
import { apiSchemaChanges } from "../schema-check/breaking-changes";
import { displayPath, schemaCheckPaths } from "../schema-check/paths";

const paths = schemaCheckPaths();
const { supergraphSdl, errors } = composeSupergraph();
if (!supergraphSdl) {
  for (const error of errors) console.error(`error ${error.extensions.code ?? ""}: ${error.message}`);
  process.exit(1);
}
const apiSchema = apiSchemaFromSupergraph(supergraphSdl);
const file = displayPath(paths.root, paths.baseline);
if (existsSync(paths.baseline)) {
  // Show what is being accepted, so the person running this sees any break they are signing off.
  for (const change of await apiSchemaChanges(buildSchema(readFileSync(paths.baseline, "utf8")), apiSchema)) {
    console.log(`${change.criticality.level} ${change.path ?? ""}: ${change.message}`);
  }
}
writeFileSync(paths.baseline, printApiSchema(apiSchema));
console.log(`wrote ${file}`);

const rulesFile = displayPath(paths.root, paths.accessRules);
const rules = accessRulesFromSupergraph(supergraphSdl, apiSchema);
if (existsSync(paths.accessRules)) {
  // Likewise for access: every rule that changes, loosened ones first in the reader's mind.
  const before = parseAccessRules(readFileSync(paths.accessRules, "utf8")).rules;
  const public_ = { authenticated: false, scopes: null };
  for (const path of [...new Set([...Object.keys(before), ...Object.keys(rules)])].sort()) {
    const old = before[path] ?? public_;
    const now = rules[path] ?? public_;
    const looser = loosens(old, now);
    if (!looser && !loosens(now, old)) continue;
    console.log(`${looser ? "LOOSENED" : "TIGHTENED"} ${path}: was ${describeRule(old)}, now ${describeRule(now)}`);
  }
}
writeFileSync(paths.accessRules, printAccessRules(rules));
console.log(`wrote ${rulesFile}`);
