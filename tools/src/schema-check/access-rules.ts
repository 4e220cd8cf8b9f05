import {
  buildSchema,
  type ConstDirectiveNode,
  type DirectiveNode,
  type GraphQLSchema,
  getNamedType,
  isInterfaceType,
  isObjectType,
  Kind,
  parse,
  valueFromASTUntyped,
} from "graphql";
import type { AllowEntry, AllowList } from "./breaking-changes";
import { type Finding, type StepResult, stepResult } from "./types";

/**
 * Who may call a field through the router. `scopes` is Federation's
 * `@requiresScopes` form: `[[a, b], [c]]` = (a AND b) OR c; null when the
 * field needs no scope. A caller with scopes is an authenticated caller.
 */
export interface AccessRule {
  authenticated: boolean;
  scopes: string[][] | null;
}

/** `"Type.field"` → its rule; a field absent from the map is public. */
export type AccessRules = Record<string, AccessRule>;

const PUBLIC: AccessRule = { authenticated: false, scopes: null };
const isPublic = (rule: AccessRule) => !rule.authenticated && rule.scopes === null;

/** Sorted, without duplicates, so that equal rules print equally. */
export function normalizeRule(rule: AccessRule): AccessRule {
  if (rule.scopes === null) return { authenticated: rule.authenticated, scopes: null };
  const sets = rule.scopes.map((set) => [...new Set(set)].sort());
  const unique = [...new Map(sets.map((set) => [JSON.stringify(set), set])).values()];
  unique.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  return { authenticated: rule.authenticated, scopes: unique };
}

/** Both rules must hold: the scope alternatives multiply out. */
function andRules(a: AccessRule, b: AccessRule): AccessRule {
  const scopes =
    a.scopes === null
      ? b.scopes
      : b.scopes === null
        ? a.scopes
        : a.scopes.flatMap((left) => (b.scopes ?? []).map((right) => [...left, ...right]));
  return { authenticated: a.authenticated || b.authenticated, scopes };
}

/** The names the supergraph gives @authenticated and @requiresScopes (its @link may rename them with `as`). */
function securityDirectiveNames(document: ReturnType<typeof parse>) {
  const names = { authenticated: undefined as string | undefined, requiresScopes: undefined as string | undefined };
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const directive of definition.directives ?? []) {
      if (directive.name.value !== "link") continue;
      const args = Object.fromEntries(
        (directive.arguments ?? []).map((arg) => [arg.name.value, valueFromASTUntyped(arg.value)]),
      );
      const url = String(args.url ?? "");
      for (const feature of ["authenticated", "requiresScopes"] as const) {
        if (url.includes(`/${feature}/`)) names[feature] = typeof args.as === "string" ? args.as : feature;
      }
    }
  }
  return names;
}

/** The access rules of every field of the API schema, from the directives of the supergraph it comes from. */
export function accessRulesFromSupergraph(supergraphSdl: string, apiSchema: GraphQLSchema): AccessRules {
  const document = parse(supergraphSdl);
  const names = securityDirectiveNames(document);
  const ruleOf = (directives: readonly (DirectiveNode | ConstDirectiveNode)[] | undefined): AccessRule => {
    let rule = PUBLIC;
    for (const directive of directives ?? []) {
      if (directive.name.value === names.authenticated) {
        rule = andRules(rule, { authenticated: true, scopes: null });
      } else if (directive.name.value === names.requiresScopes) {
        const scopesArg = directive.arguments?.find((arg) => arg.name.value === "scopes");
        const scopes = scopesArg ? (valueFromASTUntyped(scopesArg.value) as string[][]) : [];
        rule = andRules(rule, { authenticated: false, scopes });
      }
    }
    return rule;
  };
  const typeRules = new Map<string, AccessRule>();
  const fieldRules = new Map<string, AccessRule>();
  for (const definition of document.definitions) {
    if (!("name" in definition) || !definition.name || !("directives" in definition)) continue;
    const typeName = definition.name.value;
    typeRules.set(typeName, andRules(typeRules.get(typeName) ?? PUBLIC, ruleOf(definition.directives)));
    if (!("fields" in definition)) continue;
    for (const field of definition.fields ?? []) {
      if (field.kind !== Kind.FIELD_DEFINITION) continue;
      fieldRules.set(`${typeName}.${field.name.value}`, ruleOf(field.directives));
    }
  }
  const rootTypes = new Set(
    [apiSchema.getQueryType(), apiSchema.getMutationType(), apiSchema.getSubscriptionType()].map((type) => type?.name),
  );
  const rules: AccessRules = {};
  for (const type of Object.values(apiSchema.getTypeMap())) {
    if (type.name.startsWith("__") || !(isObjectType(type) || isInterfaceType(type))) continue;
    // A rule on a type guards every field returning it; a root type has none, so its rule guards its fields.
    const parentRule = rootTypes.has(type.name) ? (typeRules.get(type.name) ?? PUBLIC) : PUBLIC;
    for (const field of Object.values(type.getFields())) {
      const path = `${type.name}.${field.name}`;
      const returned = typeRules.get(getNamedType(field.type).name) ?? PUBLIC;
      const rule = andRules(andRules(fieldRules.get(path) ?? PUBLIC, returned), parentRule);
      if (!isPublic(rule)) rules[path] = normalizeRule(rule);
    }
  }
  return rules;
}

/** As written to gateway/access-rules.baseline.json: keys sorted, one rule per line (as biome formats it). */
export function printAccessRules(rules: AccessRules): string {
  const lines = Object.keys(rules)
    .sort()
    .map((path) => {
      const { authenticated, scopes } = normalizeRule(rules[path] as AccessRule);
      const sets =
        scopes && `[${scopes.map((set) => `[${set.map((scope) => JSON.stringify(scope)).join(", ")}]`).join(", ")}]`;
      return `  ${JSON.stringify(path)}: { "authenticated": ${authenticated}, "scopes": ${sets ?? "null"} }`;
    });
  return lines.length === 0 ? "{}\n" : `{\n${lines.join(",\n")}\n}\n`;
}

/** Parses the baseline file; malformed rules are problems that fail the step. */
export function parseAccessRules(json: string): { rules: AccessRules; problems: string[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    return { rules: {}, problems: [`not valid JSON: ${(error as Error).message}`] };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { rules: {}, problems: ['must be a JSON object of "Type.field": { authenticated, scopes }'] };
  }
  const rules: AccessRules = {};
  const problems: string[] = [];
  for (const [path, raw] of Object.entries(parsed)) {
    const { authenticated, scopes } = (raw ?? {}) as Partial<AccessRule>;
    const scopesOk =
      scopes === null ||
      (Array.isArray(scopes) &&
        scopes.every((set) => Array.isArray(set) && set.every((scope) => typeof scope === "string")));
    if (typeof authenticated !== "boolean" || !scopesOk) {
      problems.push(`${path}: a rule is { "authenticated": boolean, "scopes": string[][] | null }`);
    } else {
      rules[path] = normalizeRule({ authenticated, scopes: scopes ?? null });
    }
  }
  return { rules, problems };
}

/** Whether the rule lets in a caller that is (or is not) authenticated and holds `scopes`. */
function admits(rule: AccessRule, caller: { authenticated: boolean; scopes: string[] }): boolean {
  if ((rule.authenticated || rule.scopes !== null) && !caller.authenticated) return false;
  return rule.scopes === null || rule.scopes.some((set) => set.every((scope) => caller.scopes.includes(scope)));
}

/** The least privileged callers a rule admits; admission only grows with more scopes. */
function minimalCallers(rule: AccessRule) {
  if (rule.scopes === null) return [{ authenticated: rule.authenticated, scopes: [] as string[] }];
  return rule.scopes.map((set) => ({ authenticated: true, scopes: set }));
}

/** True when `after` admits some caller `before` refused. */
export const loosens = (before: AccessRule, after: AccessRule) =>
  minimalCallers(after).some((caller) => !admits(before, caller));

export const describeRule = (rule: AccessRule): string => {
  if (isPublic(rule)) return "public";
  const parts = [];
  if (rule.authenticated) parts.push("@authenticated");
  if (rule.scopes !== null) parts.push(`@requiresScopes(scopes: ${JSON.stringify(rule.scopes)})`);
  return parts.join(" ");
};

export interface AccessRulesInput {
  supergraphSdl: string;
  apiSchema: GraphQLSchema;
  /** gateway/access-rules.baseline.json; undefined when it does not exist. */
  baselineJson: string | undefined;
  /** The baseline API schema: a rule on a field that is new, or gone, is not a change of access. */
  baselineSdl?: string | undefined;
  allowList: AllowList;
  baselineFile: string;
  allowFile: string;
}

export interface AccessRulesCheck {
  step: StepResult;
  /** Allow entries this step used, so that the breaking-changes step does not call them stale. */
  usedAllowEntries: Set<AllowEntry>;
}

const fixBaseline = "npm run schema:baseline";

/**
 * The "Access rules" step: compares each field's @authenticated/@requiresScopes
 * with the baseline. A rule removed or loosened (some caller gets in who did
 * not) is breaking unless the allow file lists its path with a reason; a rule
 * added or tightened is dangerous (existing callers may be refused).
 */
export function checkAccessRules(input: AccessRulesInput): AccessRulesCheck {
  const usedAllowEntries = new Set<AllowEntry>();
  if (input.baselineJson === undefined) {
    const step = stepResult(
      "access-rules",
      `${input.baselineFile} is missing`,
      [{ severity: "error", file: input.baselineFile, message: "no baseline of access rules to compare with" }],
      fixBaseline,
    );
    return { step, usedAllowEntries };
  }
  const baseline = parseAccessRules(input.baselineJson);
  const current = accessRulesFromSupergraph(input.supergraphSdl, input.apiSchema);
  const findings: Finding[] = baseline.problems.map((message) => ({
    severity: "error",
    file: input.baselineFile,
    message,
  }));
  const baselineSchema = input.baselineSdl === undefined ? undefined : buildSchema(input.baselineSdl);
  const fieldExists = (schema: GraphQLSchema, path: string) => {
    const [typeName = "", fieldName = ""] = path.split(".");
    const type = schema.getType(typeName);
    return (isObjectType(type) || isInterfaceType(type)) && fieldName in type.getFields();
  };
  const counts = { loosened: 0, allowed: 0, tightened: 0 };
  const paths = [...new Set([...Object.keys(baseline.rules), ...Object.keys(current)])].sort();
  for (const path of paths) {
    // A removed field is the breaking-changes step's finding; a new field has no old callers.
    if (!fieldExists(input.apiSchema, path)) continue;
    if (baselineSchema && !fieldExists(baselineSchema, path)) continue;
    const before = baseline.rules[path] ?? PUBLIC;
    const after = current[path] ?? PUBLIC;
    const looser = loosens(before, after);
    const tighter = loosens(after, before);
    if (!looser && !tighter) continue;
    const was = `was ${describeRule(before)}, now ${describeRule(after)}`;
    if (looser) {
      const code = isPublic(after) ? "ACCESS_RULE_REMOVED" : tighter ? "ACCESS_RULE_CHANGED" : "ACCESS_RULE_LOOSENED";
      const what = isPublic(after) ? "access rule removed" : "access rule loosened";
      const message = `${what} (some caller the old rule refused now gets in): ${was}`;
      const base = { code, criticality: "BREAKING" as const, path, message };
      const allow = input.allowList.entries.find(
        (entry) => (entry.path === undefined || entry.path === path) && (entry.message ?? message) === message,
      );
      if (allow) {
        usedAllowEntries.add(allow);
        counts.allowed++;
        findings.push({ ...base, severity: "warning", allowedBecause: allow.reason });
      } else {
        counts.loosened++;
        findings.push({ ...base, severity: "error" });
      }
    } else {
      counts.tightened++;
      const code = isPublic(before) ? "ACCESS_RULE_ADDED" : "ACCESS_RULE_TIGHTENED";
      const what = isPublic(before) ? "access rule added" : "access rule tightened";
      findings.push({
        severity: "warning",
        code,
        criticality: "DANGEROUS",
        path,
        message: `${what} (callers the old rule let in may now be refused): ${was}; after review, ${fixBaseline}`,
      });
    }
  }
  const changed = counts.loosened + counts.allowed + counts.tightened;
  const summary =
    changed === 0
      ? `${Object.keys(current).length} field rule(s) match ${input.baselineFile}`
      : `${counts.loosened} loosened, ${counts.allowed} allowed loosened, ${counts.tightened} tightened rule(s) against ${input.baselineFile}`;
  const fix =
    `restore the rule, or have the loosening reviewed: add {"path": "…", "reason": "…"} to ${input.allowFile};` +
    ` after review, ${fixBaseline}`;
  return { step: stepResult("access-rules", summary, findings, fix), usedAllowEntries };
}
