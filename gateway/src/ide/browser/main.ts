// The IDE's browser code: GraphiQL on this gateway's /graphql, the README's
// examples in its tabs. Bundled (with graphiql's CSS) by ../bundle.ts into the
// landing page itself, so the page needs nothing from the network but POST
// /graphql. Plain React.createElement: the gateway's tsconfig has no JSX.
import "graphiql/style.css";
import { GraphiQL, type GraphiQLProps } from "graphiql";
import { createElement } from "react";
import { createRoot } from "react-dom/client";
import { ideExamples } from "../examples";

/** The few browser globals used here (the gateway's tsconfig has no DOM library). */
interface BrowserGlobals {
  location: { pathname: string };
  document: { getElementById(id: string): unknown };
  fetch(
    url: string,
    init: { method: string; headers: Record<string, string>; body: string },
  ): Promise<{ status: number; text(): Promise<string> }>;
}
const browser = globalThis as unknown as BrowserGlobals;

/** The page is served at the API's own path (GET /graphql): operations are POSTed there. */
const endpoint = browser.location.pathname;

type Fetcher = GraphiQLProps["fetcher"];

/** POSTs as JSON; an answer that is not JSON (e.g. a proxy's error page) becomes a GraphQL error. */
const fetcher: Fetcher = async (params, options) => {
  const response = await browser.fetch(endpoint, {
    method: "POST",
    headers: { ...(options?.headers as Record<string, string> | undefined), "content-type": "application/json" },
    body: JSON.stringify(params),
  });
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return { errors: [{ message: `HTTP ${response.status}, not a GraphQL answer: ${text.slice(0, 500)}` }] };
  }
};

const container = browser.document.getElementById("graphiql") as Element;
createRoot(container).render(
  createElement(GraphiQL, {
    fetcher,
    defaultTabs: ideExamples.map(({ query, variables, headers }) => ({
      query,
      variables: variables ?? null,
      headers: headers ?? null,
    })),
    defaultEditorToolsVisibility: true,
  }),
);
