// `npm run compose`: regenerates gateway/supergraph.graphql from the subgraphs' SDL files.
import { writeFileSync } from "node:fs";
import { composeSupergraph, toSupergraphFile } from "../compose";
import { supergraphPath } from "../subgraphs";

const { supergraphSdl, errors, hints } = composeSupergraph();
for (const hint of hints) console.warn(`hint ${hint.definition.code}: ${hint.message}`);
if (!supergraphSdl) {
  for (const error of errors) console.error(`error ${error.extensions.code ?? ""}: ${error.message}`);
  process.exit(1);
}
writeFileSync(supergraphPath, toSupergraphFile(supergraphSdl));
console.log(`wrote ${supergraphPath}`);
