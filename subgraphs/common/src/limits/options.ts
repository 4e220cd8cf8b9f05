/** The abuse limits of one service (from the validated configuration; see config/limits.ts). */
export interface LimitOptions {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
  maxCost: number;
  maxEntities: number;
  /** Root fields of one mutation operation (aliases included): each is a separate write. */
  maxMutationFields: number;
  maxBodyBytes: number;
  /** Origins allowed by CORS; empty: no CORS headers at all. */
  corsOrigins: string[];
}

/** The documented defaults: every operation under test/operations/ fits within half of each. */
export const DEFAULT_LIMITS: LimitOptions = {
  maxDepth: 12,
  maxAliases: 30,
  maxDirectives: 30,
  maxTokens: 3000,
  maxCost: 100_000,
  maxEntities: 1000,
  maxMutationFields: 20,
  maxBodyBytes: 100_000,
  corsOrigins: [],
};

/** Error codes of the limits (in `extensions.code`). */
export const LimitErrorCode = {
  TooDeep: "QUERY_TOO_DEEP",
  TooManyAliases: "TOO_MANY_ALIASES",
  TooManyDirectives: "TOO_MANY_DIRECTIVES",
  TooLarge: "QUERY_TOO_LARGE",
  TooComplex: "QUERY_TOO_COMPLEX",
  TooManyMutations: "TOO_MANY_MUTATIONS",
  PayloadTooLarge: "PAYLOAD_TOO_LARGE",
} as const;
