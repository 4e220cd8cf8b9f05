import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "@emshop/db/paths";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

/** The payload schema the README documents (docs/schemas/stock-event.v1.json), compiled strictly. */
const schema = JSON.parse(readFileSync(join(repoRoot, "docs/schemas/stock-event.v1.json"), "utf8"));
const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats.default(ajv);
const validate = ajv.compile(schema);

/** The schema's complaints about one payload (empty: valid). */
export function stockEventSchemaErrors(payload: unknown): string[] {
  if (validate(payload)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || "/"} ${error.message}`);
}
