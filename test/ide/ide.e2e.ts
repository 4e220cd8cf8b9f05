import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "@emshop/db/paths";
import { startGatewayService } from "@emshop/gateway/main";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quietLogger } from "../support/logs";
import { type Stack, startStack } from "../support/stack";

// The development landing page: GraphiQL served by the gateway itself, the
// README's queries in its tabs, nothing loaded from anywhere else. Driven in
// headless Chromium (Debian's `chromium`, which `.ci/run` installs).

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const chromiumInstalled = existsSync(CHROMIUM);
const CHROMIUM_MISSING = `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
const SKIPPED = `skipped: ${CHROMIUM_MISSING}`;
if (!chromiumInstalled && !process.env.CI) console.warn(`[ide] the browser test is ${SKIPPED}`);

/** Where the test leaves its screenshot; UPDATE_SCREENSHOT=1 also copies it to the README's docs/ide.png. */
const OUTPUT_DIR = join(repoRoot, "test", ".output", "ide");

const htmlPage = (url: string) => fetch(url, { headers: { accept: "text/html" } });
/** Chromium's Accept header for a page. */
const BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

describe("the gateway's IDE (development)", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.stop());

  it("is one self-contained HTML page at GET /graphql: GraphiQL inlined, no other URL referenced", async () => {
    const response = await htmlPage(stack.url);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('<div id="graphiql">');
    expect(html).toContain("graphiql-container"); // GraphiQL's code and CSS are in the page itself
    // No <script src>, no stylesheet link: every src/href attribute is a data: URL.
    const references = [...html.matchAll(/<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=["']?([^"' >]+)/gi)];
    expect(references.map((match) => match[1]).filter((url) => !url?.startsWith("data:"))).toEqual([]);
    expect(html).not.toMatch(/@import\s+(?:url\()?["']?https?:/i);
    // Built once, then served from memory.
    const started = performance.now();
    expect(await (await htmlPage(stack.url)).text()).toBe(html);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  describe("in headless Chromium", () => {
    if (!chromiumInstalled) {
      if (process.env.CI) it("needs Chromium on CI (.ci/run installs it)", () => expect.fail(CHROMIUM_MISSING));
      else it.skip(`runs the README's first query offline (${SKIPPED})`, () => undefined);
      return;
    }
    let browser: Browser | undefined;
    beforeAll(async () => {
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
    });
    afterAll(() => browser?.close());

    it("runs the README's first query offline and shows goods with their stocks", { timeout: 120_000 }, async () => {
      const port = new URL(stack.url).port;
      const context = await (browser as Browser).newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      const sent: string[] = [];
      const blocked: string[] = [];
      const pageErrors: string[] = [];
      page.on("pageerror", (error) => pageErrors.push(error.message));
      // Offline: anything not for this gateway is aborted, and recorded.
      await page.route("**/*", async (route) => {
        const request = route.request();
        const url = new URL(request.url());
        if ((url.hostname === "localhost" || url.hostname === "127.0.0.1") && url.port === port) {
          sent.push(`${request.method()} ${url.pathname}`);
          await route.continue();
        } else {
          blocked.push(`${request.method()} ${request.url()}`);
          await route.abort();
        }
      });
      try {
        const response = await page.goto(`http://localhost:${port}/graphql`);
        expect(response?.status()).toBe(200);

        // The first tab holds the README's query.
        const queryEditor = page.locator(".graphiql-query-editor .CodeMirror").first();
        await queryEditor.waitFor({ state: "visible", timeout: 30_000 });
        expect(await editorValue(queryEditor)).toContain("goodsList(pageSize: 20)");
        expect(await page.locator(".graphiql-tab").count()).toBeGreaterThan(1);

        await page.locator("button.graphiql-execute-button").click();
        const resultEditor = page.locator(".graphiql-response .CodeMirror").first();
        await expect.poll(() => editorValue(resultEditor), { timeout: 30_000 }).toContain('"stocks"');

        const result = JSON.parse(await editorValue(resultEditor)) as {
          errors?: unknown;
          data?: { goodsList: { total: number; items: { id: string; name: string; stocks: number | null }[] } };
        };
        expect(result.errors).toBeUndefined();
        expect(result.data?.goodsList.total).toBe(150);
        expect(result.data?.goodsList.items).toHaveLength(20);
        for (const item of result.data?.goodsList.items ?? []) {
          expect(item.id).toMatch(/^\d+$/);
          expect(item.stocks).toEqual(expect.any(Number));
        }
        // What a person sees: the result panel shows stocks.
        await page
          .locator(".graphiql-response .CodeMirror-line", { hasText: '"stocks"' })
          .first()
          .waitFor({ state: "visible" });

        mkdirSync(OUTPUT_DIR, { recursive: true });
        const screenshot = join(OUTPUT_DIR, "ide.png");
        await page.screenshot({ path: screenshot, fullPage: true });
        if (process.env.UPDATE_SCREENSHOT) {
          mkdirSync(join(repoRoot, "docs"), { recursive: true });
          copyFileSync(screenshot, join(repoRoot, "docs", "ide.png"));
        }

        expect(blocked, "requests to anywhere but the gateway").toEqual([]);
        expect(sent.every((request) => / \/graphql$/.test(request))).toBe(true);
        expect(sent).toContain("GET /graphql");
        expect(sent).toContain("POST /graphql");
        expect(pageErrors).toEqual([]);
      } finally {
        await context.close();
      }
    });
  });
});

describe("the gateway in production", () => {
  it("has no IDE: Apollo's landing page is off, so GET /graphql asking for HTML gets a JSON GraphQL error", async () => {
    const gateway = await startGatewayService({
      port: 0,
      production: true,
      // Never called: no operation is sent.
      subgraphUrls: { goods: "http://127.0.0.1:9/graphql", inventory: "http://127.0.0.1:9/graphql" },
      logger: quietLogger(),
    });
    try {
      // A bare `Accept: text/html` accepts no GraphQL response type: 406, as JSON.
      const html = await htmlPage(gateway.url);
      expect(html.status).toBe(406);
      expect(html.headers.get("content-type")).toMatch(/^application\/json/);
      expect(await html.text()).toMatch(/"code":"BAD_REQUEST"/);
      // What a browser sends (text/html first, */* last): a GraphQL request without a query.
      const browserLike = await fetch(gateway.url, { headers: { accept: BROWSER_ACCEPT } });
      expect(browserLike.status).toBe(400);
      expect(browserLike.headers.get("content-type")).toMatch(/^application\/json/);
      const body = await browserLike.text();
      expect(body).toMatch(/non-empty `query`/);
      expect(body).not.toMatch(/graphiql|<html|<!doctype|<script/i);
    } finally {
      await gateway.stop();
    }
  });
});

/** The whole text of a CodeMirror 5 editor (its DOM holds only the lines in view). */
function editorValue(editor: import("playwright-core").Locator): Promise<string> {
  return editor.evaluate((element) =>
    (element as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue(),
  );
}
