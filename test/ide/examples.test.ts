import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "@emshop/db/paths";
import { ideExamples } from "@emshop/gateway/ide/examples";
import { unavailablePage } from "@emshop/gateway/ide/landing-page";
import { apiSchemaFromSupergraph } from "@emshop/tools/schema-check/api-schema";
import { parse, print, validate } from "graphql";
import { describe, expect, it } from "vitest";

/** The README's "## Quick start" section: where a new user finds the first query to run. */
function quickStart(): string {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const start = readme.indexOf("\n## Quick start\n");
  expect(start, "README.md has a '## Quick start' section").toBeGreaterThanOrEqual(0);
  const end = readme.indexOf("\n## ", start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** The first ```graphql block of the Quick start (what it says to run in the IDE). */
function firstGraphqlBlock(section: string): string {
  const block = /```graphql\n([\s\S]*?)```/.exec(section)?.[1];
  expect(block, "the Quick start has a ```graphql block").toBeDefined();
  return block as string;
}

/** The query of the Quick start's first curl command: the first `"query":"…"` JSON string in it. */
function firstCurlQuery(section: string): string {
  const curl = section.slice(section.indexOf("curl "));
  const literal = /"query"\s*:\s*("(?:[^"\\]|\\.)*")/.exec(curl)?.[1];
  expect(literal, 'the Quick start has a curl command with a "query"').toBeDefined();
  return JSON.parse(literal as string) as string;
}

const sameWhitespace = (text: string) =>
  text
    .replace(/\s+/g, " ")
    .replace(/\s*([{}()])\s*/g, "$1")
    .trim();
/** Equal as documents: graphql's printer gives one canonical text per AST. */
const canonical = (query: string) => print(parse(query));

describe("the IDE's example operations", () => {
  const first = ideExamples[0];

  it("start with the README's first query (the Quick start's, in the IDE and in curl)", () => {
    const section = quickStart();
    expect(first).toBeDefined();
    for (const readmeQuery of [firstGraphqlBlock(section), firstCurlQuery(section)]) {
      expect(sameWhitespace(first?.query ?? "")).toBe(sameWhitespace(readmeQuery));
      expect(canonical(first?.query ?? "")).toBe(canonical(readmeQuery));
    }
    // Run as it opens: no variables or headers needed.
    expect(first?.variables).toBeUndefined();
    expect(first?.headers).toBeUndefined();
  });

  it("are all valid against the gateway's API schema, with JSON variables and headers", () => {
    const schema = apiSchemaFromSupergraph(readFileSync(join(repoRoot, "gateway", "supergraph.graphql"), "utf8"));
    expect(ideExamples.length).toBeGreaterThan(1);
    for (const example of ideExamples) {
      expect(example.title, "every example has a title").not.toBe("");
      const errors = validate(schema, parse(example.query)).map((error) => error.message);
      expect(errors, example.title).toEqual([]);
      if (example.variables) expect(() => JSON.parse(example.variables ?? ""), example.title).not.toThrow();
      if (example.headers) expect(() => JSON.parse(example.headers ?? ""), example.title).not.toThrow();
    }
  });

  it("are what the page without the IDE (a pruned install) shows as curl commands", () => {
    const html = unavailablePage("esbuild cannot be loaded");
    expect(html).toContain("The GraphQL IDE is not available in this install");
    expect(html).toContain("esbuild cannot be loaded");
    const readmeCurlQuery = JSON.stringify({ query: firstCurlQuery(quickStart()) }).replace(/"/g, "&quot;");
    expect(html).toContain(readmeCurlQuery);
  });
});
