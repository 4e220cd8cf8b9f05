// `npm run schema:baseline`: accepts the current API schema as the
// baseline that schema:check compares with. Run it only after the changes were reviewed.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { buildSchema } from "graphql";
import { composeSupergraph } from "../compose";
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
