import type { ConfigOf, Settings } from "./settings";

export interface ConfigIssue {
  variable: string;
  /** The value as given, or "(hidden)" for secrets. */
  value: string;
  message: string;
}

/** Every bad variable at once, so an operator fixes them in one go. */
export class ConfigError extends Error {
  constructor(
    readonly service: string,
    readonly issues: ConfigIssue[],
  ) {
    super(
      `invalid configuration of ${service}:\n${issues
        .map((issue) => `  ${issue.variable}=${issue.value}: ${issue.message}`)
        .join("\n")}`,
    );
    this.name = "ConfigError";
  }
}

/**
 * Reads a service's settings from the environment, once, at start. An empty
 * variable counts as unset (as `FOO= node …` usually means "no value"). Throws
 * a ConfigError naming every bad variable; nothing else in the code reads
 * `process.env`.
 */
export function loadConfig<S extends Settings>(
  service: string,
  settings: S,
  env: Record<string, string | undefined>,
): ConfigOf<S> {
  const config: Record<string, unknown> = {};
  const issues: ConfigIssue[] = [];
  for (const [variable, setting] of Object.entries(settings)) {
    const raw = env[variable] === "" ? undefined : env[variable];
    const result = setting.schema.safeParse(raw);
    if (result.success) config[variable] = result.data;
    else
      issues.push({
        variable,
        value: setting.secret ? "(hidden)" : JSON.stringify(raw ?? ""),
        message: result.error.issues.map((issue) => issue.message).join("; "),
      });
  }
  if (issues.length > 0) throw new ConfigError(service, issues);
  return config as ConfigOf<S>;
}
