import { type ProblemCode, repairOf } from "./repairs";

/**
 * What is wrong with one source row, with a stable code (the report's and the
 * docs' vocabulary), the field, and a sentence for people. Rows with problems
 * are skipped; with --repair, a problem that has a documented repair
 * (repairs.ts) is fixed instead and the row is imported.
 */
export interface Problem {
  code: ProblemCode;
  field: string;
  message: string;
}

/** A problem --repair fixed, and how. */
export interface Repair extends Problem {
  repair: string;
}

/** A mapper's answer: the target row (perhaps repaired), or why it cannot be imported. */
export type Mapped<Row> = { ok: true; row: Row; repairs: Repair[] } | { ok: false; problems: Problem[] };

/** A skipped row for the report. */
export interface SkippedRow {
  table: string;
  key: number | string;
  problems: Problem[];
}

/** A repaired row for the report. */
export interface RepairedRow {
  table: string;
  key: number | string;
  repairs: Repair[];
}

/**
 * Collects the problems of one row while its fields are mapped. `fixable`
 * problems are repaired only when `repair` is on; either way every problem is
 * kept, so a skipped row lists all of them, not just the first.
 */
export class RowChecks {
  private readonly problems: Problem[] = [];
  private readonly repairs: Repair[] = [];
  private unrepaired = 0;

  constructor(private readonly repair: boolean) {}

  /** A problem without a repair: the row is skipped. */
  fail(code: ProblemCode, field: string, message: string): void {
    this.problems.push({ code, field, message });
    this.unrepaired++;
  }

  /** A problem with a repair (repairs.ts): returns `fixed`, which counts only if the row is imported with --repair. */
  fix<T>(code: ProblemCode, field: string, message: string, fixed: T): T {
    this.problems.push({ code, field, message });
    if (this.repair) this.repairs.push({ code, field, message, repair: repairOf(code) });
    else this.unrepaired++;
    return fixed;
  }

  result<Row>(row: Row): Mapped<Row> {
    return this.unrepaired > 0 ? { ok: false, problems: this.problems } : { ok: true, row, repairs: this.repairs };
  }
}

/** Runs one of the project's own validators (they throw a GraphQLError with a sentence); its message, or null. */
export function validationMessage(check: () => unknown): string | null {
  try {
    check();
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Length in characters (code points), as PostgreSQL's VARCHAR(n) and the project's validators count. */
export const charLength = (value: string) => [...value].length;

/** The first `max` characters (code points), never half a surrogate pair. */
export const truncate = (value: string, max: number) => [...value].slice(0, max).join("").trim();
