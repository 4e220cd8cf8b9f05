import { readFileSync } from "node:fs";
import { join } from "node:path";
import { renderConfigTable } from "@emshop/common/config/docs";
import { repoRoot } from "@emshop/db/paths";
import { configuredServices } from "@emshop/tools/configured-services";
import { expect, it } from "vitest";

const START = "<!-- config-table:start (npm run docs:config) -->";
const END = "<!-- config-table:end -->";

it("the README's configuration table is the one the settings define (fix: npm run docs:config)", () => {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  expect(start, `README.md lacks the marker ${START}`).toBeGreaterThan(-1);
  expect(end).toBeGreaterThan(start);
  const documented = readme.slice(start + START.length, end).trim();
  expect(documented).toBe(renderConfigTable(configuredServices));
  // Every variable appears once: a copy-pasted row would make the table lie about one of them.
  const variables = documented
    .split("\n")
    .slice(2)
    .map((row) => row.split("|")[1]?.trim());
  expect(new Set(variables).size).toBe(variables.length);
});
