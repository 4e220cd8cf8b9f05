import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type { ImportKind, Plugin } from "esbuild";

type Esbuild = typeof import("esbuild");

/**
 * esbuild is a development dependency. A variable specifier keeps the service
 * bundler (tools/scripts/bundle-service.mjs) from following the import, so the
 * compiled gateway neither bundles nor declares it; a pruned install answers
 * with the "not available" page instead.
 */
const ESBUILD = "esbuild";

export class IdeUnavailableError extends Error {}

/** The browser entry: next to this file in the sources, or under ../src from the compiled dist/index.js. */
function browserEntry(): string {
  const candidates = ["./browser/main.ts", "../src/ide/browser/main.ts"].map((path) =>
    fileURLToPath(new URL(path, import.meta.url)),
  );
  const entry = candidates.find((path) => existsSync(path));
  if (!entry) throw new IdeUnavailableError(`the IDE's sources are not here (looked for ${candidates.join(", ")})`);
  return entry;
}

/**
 * One React for the page: the gateway declares its own react/react-dom while
 * another workspace may hoist a different version to the root, where graphiql
 * would find it (two Reacts break hooks). Every import of them resolves from
 * the browser entry's folder, as the gateway's own imports do.
 */
function singleReact(resolveDir: string): Plugin {
  return {
    name: "single-react",
    setup(build) {
      build.onResolve({ filter: /^(react|react-dom|scheduler)(\/.*)?$/ }, async (args) => {
        if (args.pluginData === "single-react") return undefined;
        const result = await build.resolve(args.path, {
          resolveDir,
          kind: args.kind as ImportKind,
          pluginData: "single-react",
        });
        return result.errors.length > 0 ? { errors: result.errors } : { path: result.path };
      });
    },
  };
}

/** In an inline <script> or <style>, nothing may end the element or open an HTML comment. */
const inlineScript = (js: string) => js.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
const inlineStyle = (css: string) => css.replace(/<\/(style)/gi, "<\\/$1");

/** Bundles GraphiQL with the browser entry and inlines JS and CSS into one self-contained HTML page. */
export async function buildIdePage(): Promise<string> {
  let esbuild: Esbuild;
  try {
    esbuild = (await import(ESBUILD)) as Esbuild;
  } catch (error) {
    throw new IdeUnavailableError(`esbuild cannot be loaded (${(error as Error).message.split("\n")[0]})`);
  }
  const entry = browserEntry();
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    outdir: "ide",
    minify: true,
    format: "iife",
    platform: "browser",
    target: ["es2022"],
    define: { "process.env.NODE_ENV": '"production"' },
    // graphiql's CSS inlines its fonts already; anything else it references goes in as a data URL.
    loader: {
      ".woff": "dataurl",
      ".woff2": "dataurl",
      ".ttf": "dataurl",
      ".svg": "dataurl",
      ".png": "dataurl",
      ".gif": "dataurl",
    },
    legalComments: "none",
    logLevel: "silent",
    plugins: [singleReact(dirname(entry))],
  });
  const js = result.outputFiles.find((file) => file.path.endsWith(".js"))?.text ?? "";
  const css = result.outputFiles.find((file) => file.path.endsWith(".css"))?.text ?? "";
  if (!js) throw new Error("esbuild produced no JavaScript for the IDE");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>emshop GraphQL IDE</title>
<link rel="icon" href="data:,">
<style>html,body,#graphiql{height:100%;margin:0}</style>
<style>${inlineStyle(css)}</style>
</head>
<body>
<div id="graphiql"></div>
<script>${inlineScript(js)}</script>
</body>
</html>
`;
}
