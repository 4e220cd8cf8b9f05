import { type AuditResult, serverAudits } from "graphql-http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../support/stack";

/**
 * The GraphQL-over-HTTP spec's own audits (npm `graphql-http`) against each
 * service, in development mode (some audits use introspection). Errors and
 * warnings fail; notices are printed and documented in the README.
 */
describe("the GraphQL-over-HTTP audit", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ seed: false });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it.each(["gateway", "goods", "inventory"] as const)("%s: no error, no warning", async (service) => {
    const url = service === "gateway" ? stack.url : service === "goods" ? stack.goods.url : stack.inventory.url;
    const results: (AuditResult & { name: string })[] = [];
    for (const audit of serverAudits({ url, fetchFn: fetch }))
      results.push({ ...(await audit.fn()), name: audit.name });
    const count = (status: string) => results.filter((result) => result.status === status).length;
    const notices = results.filter((result) => result.status === "notice").map((result) => result.name);
    console.log(
      `graphql-http audit, ${service}: ${results.length} audits, ${count("ok")} ok, ${count("warn")} warnings, ${count("error")} errors, ${count("notice")} notices${notices.length ? `\n  notices: ${notices.join("; ")}` : ""}`,
    );
    const problems = results
      .filter((result) => result.status === "error" || result.status === "warn")
      .map((result) => `${result.status}: ${result.name} — ${"reason" in result ? result.reason : ""}`);
    expect(problems).toEqual([]);
    expect(results.length).toBeGreaterThan(50);
  });
});
