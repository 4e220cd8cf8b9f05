/**
 * What a PromQL expression refers to: its series selectors (metric name and
 * label matchers) and the label names of its grouping and matching clauses
 * (by, without, on, ignoring, group_left, group_right). Enough of PromQL's
 * lexical grammar to find those, not an evaluator: function and aggregation
 * names, keywords, numbers, durations, strings and range or subquery brackets
 * are recognised and skipped.
 */

export type MatchOp = "=" | "!=" | "=~" | "!~";

export interface Matcher {
  label: string;
  op: MatchOp;
  value: string;
}

export interface Selector {
  metric: string;
  matchers: Matcher[];
}

export interface ExprRefs {
  selectors: Selector[];
  /** Label names in by/without/on/ignoring/group_left/group_right lists, in order of appearance. */
  groupingLabels: string[];
}

const AGGREGATIONS = new Set([
  "sum",
  "min",
  "max",
  "avg",
  "group",
  "stddev",
  "stdvar",
  "count",
  "count_values",
  "bottomk",
  "topk",
  "quantile",
  "limitk",
  "limit_ratio",
]);
/** Keywords followed by a parenthesised list of label names (optional for group_left/right). */
const LABEL_LIST_KEYWORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right"]);
const KEYWORDS = new Set(["and", "or", "unless", "bool", "offset", "atan2", ...LABEL_LIST_KEYWORDS]);
const NUMBER_WORDS = new Set(["inf", "nan"]);

const IDENTIFIER = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const LABEL_NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;
const DURATION_OR_NUMBER =
  /(?:(?:\d+(?:ms|[smhdwy]))+|0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(?![a-zA-Z0-9_:])/y;
const MATCH_OP = /=~|!~|!=|=/y;

class Lexer {
  pos = 0;
  constructor(readonly text: string) {}

  fail(message: string): never {
    throw new Error(`PromQL: ${message} at offset ${this.pos} in: ${this.text}`);
  }

  /** Skips whitespace and # comments; true while there is more. */
  skip(): boolean {
    for (;;) {
      while (this.pos < this.text.length && /\s/.test(this.text[this.pos] as string)) this.pos++;
      if (this.text[this.pos] !== "#") return this.pos < this.text.length;
      while (this.pos < this.text.length && this.text[this.pos] !== "\n") this.pos++;
    }
  }

  peek(): string | undefined {
    this.skip();
    return this.text[this.pos];
  }

  sticky(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.pos;
    const match = pattern.exec(this.text);
    if (!match) return undefined;
    this.pos += match[0].length;
    return match[0];
  }

  /** The identifier that comes next, not consumed. */
  peekWord(): string | undefined {
    this.skip();
    IDENTIFIER.lastIndex = this.pos;
    return IDENTIFIER.exec(this.text)?.[0];
  }

  expect(char: string) {
    if (this.peek() !== char) this.fail(`expected "${char}"`);
    this.pos++;
  }

  /** A quoted string ("…" or '…' with Go escapes, `…` raw), unquoted. */
  string(): string {
    const quote = this.peek();
    if (quote !== '"' && quote !== "'" && quote !== "`") this.fail("expected a string");
    let value = "";
    this.pos++;
    for (;;) {
      const char = this.text[this.pos++];
      if (char === undefined) this.fail("unterminated string");
      if (char === quote) return value;
      if (char === "\\" && quote !== "`") {
        const escaped = this.text[this.pos++];
        value += escaped === "n" ? "\n" : escaped === "t" ? "\t" : (escaped ?? "");
      } else value += char;
    }
  }

  /** `{label op "value", …}`, the braces included. */
  matchers(): Matcher[] {
    this.expect("{");
    const matchers: Matcher[] = [];
    while (this.peek() !== "}") {
      const label = this.sticky(LABEL_NAME) ?? this.fail("expected a label name");
      this.skip();
      const op = (this.sticky(MATCH_OP) ?? this.fail("expected =, !=, =~ or !~")) as MatchOp;
      matchers.push({ label, op, value: this.string() });
      if (this.peek() === ",") this.pos++;
      else if (this.peek() !== "}") this.fail('expected "," or "}"');
    }
    this.pos++;
    return matchers;
  }

  /** `(label, …)`, the parentheses included. */
  labelList(): string[] {
    this.expect("(");
    const labels: string[] = [];
    while (this.peek() !== ")") {
      labels.push(this.sticky(LABEL_NAME) ?? this.fail("expected a label name"));
      if (this.peek() === ",") this.pos++;
      else if (this.peek() !== ")") this.fail('expected "," or ")"');
    }
    this.pos++;
    return labels;
  }

  /** A range or subquery, `[5m]` or `[1h:5m]`: durations only. */
  skipBrackets() {
    const end = this.text.indexOf("]", this.pos);
    if (end < 0) this.fail('unterminated "["');
    this.pos = end + 1;
  }
}

/** The selectors and grouping labels of one PromQL expression; throws on what it cannot read. */
export function promqlRefs(expr: string): ExprRefs {
  const lexer = new Lexer(expr);
  const selectors: Selector[] = [];
  const groupingLabels: string[] = [];
  while (lexer.skip()) {
    const char = lexer.text[lexer.pos] as string;
    if (char === '"' || char === "'" || char === "`") {
      lexer.string();
      continue;
    }
    if (char === "[") {
      lexer.skipBrackets();
      continue;
    }
    if (char === "{") {
      // A selector without a name before it: the name is a __name__ matcher.
      const matchers = lexer.matchers();
      const name =
        matchers.find((matcher) => matcher.label === "__name__" && matcher.op === "=") ??
        lexer.fail("a selector without a metric name (no __name__=…)");
      selectors.push({ metric: name.value, matchers: matchers.filter((matcher) => matcher !== name) });
      continue;
    }
    if (/[0-9.]/.test(char)) {
      if (!lexer.sticky(DURATION_OR_NUMBER)) lexer.fail("not a number or duration");
      continue;
    }
    const word = lexer.sticky(IDENTIFIER);
    if (word === undefined) {
      lexer.pos++; // an operator, a parenthesis, a comma, @
      continue;
    }
    const next = lexer.peek();
    const lower = word.toLowerCase();
    if (LABEL_LIST_KEYWORDS.has(lower)) {
      if (next === "(") groupingLabels.push(...lexer.labelList());
      else if (lower !== "group_left" && lower !== "group_right") lexer.fail(`expected "(" after ${word}`);
    } else if (KEYWORDS.has(lower) || NUMBER_WORDS.has(lower)) {
      // and, or, unless, bool, offset, atan2; Inf, NaN
    } else if (next === "(") {
      // a function call or an aggregation: sum(…), rate(…), histogram_quantile(…)
    } else if (AGGREGATIONS.has(word) && ["by", "without"].includes(lexer.peekWord()?.toLowerCase() ?? "")) {
      // sum by (…) (…): the clause is read on the next round
    } else selectors.push({ metric: word, matchers: next === "{" ? lexer.matchers() : [] });
  }
  return { selectors, groupingLabels };
}

/** The metric names an expression selects, each once, in order of appearance. */
export const metricNames = (expr: string): string[] => [
  ...new Set(promqlRefs(expr).selectors.map((selector) => selector.metric)),
];

/** Whether a PromQL label matcher accepts `value` (regexes are anchored, as in PromQL). */
export function matches(matcher: Pick<Matcher, "op" | "value">, value: string): boolean {
  switch (matcher.op) {
    case "=":
      return value === matcher.value;
    case "!=":
      return value !== matcher.value;
    case "=~":
      return new RegExp(`^(?:${matcher.value})$`).test(value);
    case "!~":
      return !new RegExp(`^(?:${matcher.value})$`).test(value);
  }
}
