import { z } from "zod";

/**
 * One environment variable: how it is parsed and checked (a zod schema from
 * the raw string, `undefined` when unset), its default and what it means. The
 * README's configuration table is rendered from these (see ./docs.ts), so the
 * documentation cannot drift from what the code accepts.
 */
export interface Setting<T> {
  schema: z.ZodType<T, string | undefined>;
  /** The default as an operator reads it ("10", "PGlite in .data/goods", "none"). */
  defaultText: string;
  description: string;
  /** Never printed back, not even in an error message (secrets, URLs with passwords). */
  secret?: boolean;
}

export type Settings = Record<string, Setting<unknown>>;
export type ConfigOf<S extends Settings> = { [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

interface Described {
  description: string;
}

/** An integer within [min, max]; "abc", "1.5" or an out-of-range value is refused with the range. */
export function integer(options: Described & { default: number; min: number; max: number }): Setting<number> {
  const message = `must be an integer from ${options.min} to ${options.max}`;
  return {
    description: options.description,
    defaultText: String(options.default),
    schema: z
      .string()
      .trim()
      .regex(/^-?\d+$/, message)
      .transform(Number)
      .pipe(z.number().int().min(options.min, message).max(options.max, message))
      .default(options.default),
  };
}

/** A TCP port; 0 picks a free one (the tests rely on it). */
export const port = (defaultPort: number, description: string) =>
  integer({ default: defaultPort, min: 0, max: 65_535, description });

/** A duration in milliseconds; `min: 0` where 0 means "no limit". */
export const milliseconds = (options: Described & { default: number; min?: number; max?: number }) =>
  integer({ min: options.min ?? 1, max: options.max ?? 3_600_000, ...options });

const TRUE = ["true", "1", "yes", "on"];
const FALSE = ["false", "0", "no", "off"];

export function boolean(options: Described & { default: boolean }): Setting<boolean> {
  return {
    description: options.description,
    defaultText: String(options.default),
    schema: z
      .string()
      .trim()
      .toLowerCase()
      .refine((value) => TRUE.includes(value) || FALSE.includes(value), "must be true or false")
      .transform((value) => TRUE.includes(value))
      .default(options.default),
  };
}

export function oneOf<const Values extends readonly [string, ...string[]]>(
  options: Described & { values: Values; default: Values[number] },
): Setting<Values[number]> {
  return {
    description: options.description,
    defaultText: options.default,
    schema: z
      .string()
      .trim()
      .refine((value) => options.values.includes(value), `must be one of ${options.values.join(", ")}`)
      .transform((value) => value as Values[number])
      .default(options.default as never),
  };
}

/** An http(s) URL. */
export function httpUrl(options: Described & { default: string }): Setting<string> {
  return {
    description: options.description,
    defaultText: options.default,
    schema: z
      .string()
      .trim()
      .refine((value) => /^https?:\/\/[^\s]+$/.test(value) && URL.canParse(value), "must be an http:// or https:// URL")
      .default(options.default),
  };
}

/** Free text (e.g. a path or a host name); unset is `undefined` unless a default is given. */
export function text(options: Described & { defaultText: string; secret?: boolean }): Setting<string | undefined>;
export function text(options: Described & { default: string; secret?: boolean }): Setting<string>;
export function text(
  options: Described & { default?: string; defaultText?: string; secret?: boolean },
): Setting<string | undefined> {
  const schema = z.string().trim().min(1, "must not be empty");
  return {
    description: options.description,
    defaultText: options.defaultText ?? options.default ?? "none",
    ...(options.secret ? { secret: true } : {}),
    schema: options.default === undefined ? schema.optional() : schema.default(options.default),
  };
}
