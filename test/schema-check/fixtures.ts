import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { toSupergraphFile } from "@emshop/tools/compose";
import { accessRulesFromSupergraph, printAccessRules } from "@emshop/tools/schema-check/access-rules";
import { apiSchemaFromSupergraph, printApiSchema } from "@emshop/tools/schema-check/api-schema";
import { checkComposition } from "@emshop/tools/schema-check/compose-check";
import { loadOperationFiles } from "@emshop/tools/schema-check/operations-check";
import { displayPath, repoRoot, schemaCheckPaths } from "@emshop/tools/schema-check/paths";
import { parse } from "graphql";

export type SubgraphName = "goods" | "inventory";
/** String edits applied to the real SDL of a subgraph; the real files are never written. */
export type SdlEdits = Partial<Record<SubgraphName, (sdl: string) => string>>;

const paths = schemaCheckPaths();

export const realSdl = (name: SubgraphName) => {
  const subgraph = paths.subgraphs.find((candidate) => candidate.name === name);
  if (!subgraph) throw new Error(`no subgraph ${name}`);
  return readFileSync(subgraph.sdlPath, "utf8");
};

/** Replaces `from` by `to`, failing loudly when the real SDL no longer contains `from`. */
export const replace = (from: string | RegExp, to: string) => (sdl: string) => {
  const edited = sdl.replace(from, to);
  if (edited === sdl) throw new Error(`fixture edit found nothing to replace: ${from}`);
  return edited;
};

export function fixtureSubgraphs(edits: SdlEdits = {}): Parameters<typeof checkComposition>[0] {
  return paths.subgraphs.map(({ name, url }) => {
    const edit = edits[name as SubgraphName] ?? ((sdl: string) => sdl);
    return { name, url, typeDefs: parse(edit(realSdl(name as SubgraphName))) };
  });
}

/** Composes the real SDL with `edits`; throws if it does not compose. */
export function composeFixture(edits: SdlEdits = {}) {
  const { step, supergraphSdl } = checkComposition(fixtureSubgraphs(edits));
  if (!supergraphSdl) throw new Error(`fixture does not compose: ${JSON.stringify(step.findings)}`);
  return { supergraphSdl, apiSchema: apiSchemaFromSupergraph(supergraphSdl) };
}

/** The API schema of the real subgraphs as baseline: the fixture's change is then the only difference. */
export const realBaselineSdl = () => printApiSchema(composeFixture().apiSchema);

export const knownOperations = () => loadOperationFiles(paths.operationsDir, repoRoot);
export const operationsLabel = `${displayPath(repoRoot, paths.operationsDir)}/`;

/**
 * A copy of the files schema:check reads, with supergraph and baseline
 * composed from the real SDL and `edits` applied to the copy's subgraph SDL.
 * node_modules is linked so each subgraph's codegen.ts can be imported.
 */
export function repoCopy(edits: SdlEdits = {}) {
  // Everything that can fail runs before the folder exists, so a failing fixture leaves nothing behind.
  // Supergraph and baseline as committed before the change: composed from the real SDL…
  const before = composeFixture();
  // …and the subgraph SDL after the change under review.
  const sdl = paths.subgraphs.map(({ name, sdlPath }) => ({
    path: displayPath(repoRoot, sdlPath),
    content: (edits[name as SubgraphName] ?? ((text: string) => text))(realSdl(name as SubgraphName)),
  }));
  const root = mkdtempSync(join(tmpdir(), "emshop-schema-check-"));
  const copy = (relative: string) => {
    mkdirSync(dirname(join(root, relative)), { recursive: true });
    cpSync(join(repoRoot, relative), join(root, relative), { recursive: true });
  };
  for (const { dir } of paths.subgraphs) {
    const subgraphDir = displayPath(repoRoot, dir);
    copy(`${subgraphDir}/codegen.ts`);
    copy(`${subgraphDir}/src/generated`);
  }
  copy("test/operations");
  copy("gateway/breaking-changes.allow.json");
  copy("gateway/src/subscriptions/schema.graphql");
  symlinkSync(join(repoRoot, "node_modules"), join(root, "node_modules"), "dir");
  writeFileSync(join(root, "gateway/supergraph.graphql"), toSupergraphFile(before.supergraphSdl));
  writeFileSync(join(root, "gateway/schema.baseline.graphql"), printApiSchema(before.apiSchema));
  writeFileSync(
    join(root, "gateway/access-rules.baseline.json"),
    printAccessRules(accessRulesFromSupergraph(before.supergraphSdl, before.apiSchema)),
  );
  for (const { path, content } of sdl) writeFileSync(join(root, path), content);
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}
