import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { subgraphList } from "../subgraphs";

/** The repository this file lives in. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

export interface SubgraphPaths {
  name: string;
  url: string;
  /** Folder of the subgraph's package: the codegen config's `cwd`. */
  dir: string;
  sdlPath: string;
  codegenConfigPath: string;
}

/** Every file schema:check reads, under one root (the repository, or a copy of it in tests). */
export interface SchemaCheckPaths {
  root: string;
  supergraph: string;
  baseline: string;
  allowList: string;
  /** Access rules (@authenticated/@requiresScopes) per field, as last reviewed. */
  accessRules: string;
  operationsDir: string;
  /** The gateway's own subscription schema (served beside the supergraph, not composed). */
  subscriptionSchema: string;
  subgraphs: SubgraphPaths[];
}

export function schemaCheckPaths(root = repoRoot): SchemaCheckPaths {
  return {
    root,
    supergraph: join(root, "gateway", "supergraph.graphql"),
    baseline: join(root, "gateway", "schema.baseline.graphql"),
    allowList: join(root, "gateway", "breaking-changes.allow.json"),
    accessRules: join(root, "gateway", "access-rules.baseline.json"),
    operationsDir: join(root, "test", "operations"),
    subscriptionSchema: join(root, "gateway", "src", "subscriptions", "schema.graphql"),
    subgraphs: subgraphList.map(({ name, url, sdlPath }) => {
      const dir = join(root, dirname(dirname(relative(repoRoot, sdlPath))));
      return {
        name,
        url,
        dir,
        sdlPath: join(root, relative(repoRoot, sdlPath)),
        codegenConfigPath: join(dir, "codegen.ts"),
      };
    }),
  };
}

/** A path as printed in reports: relative to the root, with forward slashes. */
export const displayPath = (root: string, path: string) => relative(root, path).split("\\").join("/");
