import type { ApolloServerPlugin } from "@apollo/server";
import { buildIdePage, IdeUnavailableError } from "./bundle";
import { ideExamples } from "./examples";

/** The page, built on the first load and then served from memory (shared by every gateway in the process). */
let page: Promise<string> | undefined;

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);

const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** No IDE in this install (a pruned one, without the development dependencies): say so, and how to query instead. */
export function unavailablePage(reason: string): string {
  const curl = (example: (typeof ideExamples)[number]) => {
    const body: Record<string, unknown> = {
      query: example.query
        .replace(/^#.*\n/gm, "")
        .replace(/\s+/g, " ")
        .trim(),
    };
    if (example.variables) body.variables = JSON.parse(example.variables);
    return `curl -s <span class="url">http://localhost:4000/graphql</span> -H 'content-type: application/json' \\\n  -d ${escapeHtml(shellQuote(JSON.stringify(body)))}`;
  };
  const examples = ideExamples
    .filter((example) => !example.headers)
    .map((example) => `<h2>${escapeHtml(example.title)}</h2>\n<pre>${curl(example)}</pre>`)
    .join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>emshop GraphQL API</title>
<link rel="icon" href="data:,">
<style>body{font-family:system-ui,sans-serif;max-width:56rem;margin:2rem auto;padding:0 1rem}pre{background:#f4f4f4;padding:1rem;overflow-x:auto}</style>
</head>
<body>
<h1>The GraphQL IDE is not available in this install</h1>
<p>The IDE is built from development dependencies (esbuild, graphiql, react), and this install has none of them:
${escapeHtml(reason)}. Run <code>npm install</code> (not <code>--omit=dev</code>) to get it. The API itself works:
POST GraphQL to this URL, for example:</p>
${examples}
<script>for (const el of document.querySelectorAll(".url")) el.textContent = location.origin + location.pathname;</script>
</body>
</html>
`;
}

async function renderPage(): Promise<string> {
  page ??= buildIdePage().catch((error: unknown) => {
    // A missing development dependency stays missing: keep that answer. Any
    // other failure is retried on the next load.
    if (error instanceof IdeUnavailableError) return unavailablePage(error.message);
    page = undefined;
    return unavailablePage(`building it failed: ${(error as Error).message}`);
  });
  return page;
}

/**
 * The gateway's landing page in development: GraphiQL, bundled from npm with
 * esbuild on the first page load and inlined into one HTML page (no CDN, no
 * other route: the page needs nothing from the network but POST /graphql),
 * with the README's example operations in its tabs (./examples.ts). Off in
 * production (server.ts does not install it; Apollo's landing page is disabled there).
 */
export function ideLandingPage<Context extends object>(): ApolloServerPlugin<Context> | undefined {
  return {
    async serverWillStart() {
      return {
        async renderLandingPage() {
          return { html: renderPage };
        },
      };
    },
  };
}
