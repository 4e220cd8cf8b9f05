import { text } from "@emshop/goods/validation/fields";
import { charLength, type Mapped, RowChecks, truncate, validationMessage } from "./problems";
import type { SourceCategory } from "./source-rows";
import type { CategoryRow } from "./target-rows";

const NAME_MAX = 20; // category.name VARCHAR(20), as createCategory checks it

/** emshop writes 0 (Go's zero value) or NULL for "no parent". */
const parentOf = (row: SourceCategory) => (row.parent_category_id ? row.parent_category_id : null);

/**
 * The category tree, checked as a whole: a category fits when its level is
 * its depth (1 without a parent, else the parent's level + 1, at most 3) and
 * its parent is imported too. Categories are a navigation tree (hundreds of
 * rows), so the live ones are held in memory: a parent may have a higher id
 * than its child, and whether a parent is imported decides its children.
 */
export class CategoryTree {
  private readonly rows = new Map<number, SourceCategory>();
  private readonly mapped = new Map<number, Mapped<CategoryRow>>();
  private readonly resolving = new Set<number>();

  constructor(private readonly repair: boolean) {}

  /** Adds one live (not soft-deleted) source row. */
  add(row: SourceCategory) {
    this.rows.set(row.id, row);
  }

  /** Every live category mapped, parents before children (the order their foreign key needs). */
  all(): { id: number; result: Mapped<CategoryRow> }[] {
    const results = [...this.rows.keys()].map((id) => ({ id, result: this.map(id) }));
    const depth = (entry: (typeof results)[number]) => (entry.result.ok ? entry.result.row.level : 4);
    return results.sort((a, b) => depth(a) - depth(b) || a.id - b.id);
  }

  /** Whether a category id is imported (for goods and category-brand pairs). */
  imported(id: number | null): boolean {
    return id !== null && this.rows.has(id) && this.map(id).ok;
  }

  /** Whether a live category with this id exists at all (to tell "missing" from "skipped"). */
  exists(id: number | null): boolean {
    return id !== null && this.rows.has(id);
  }

  private map(id: number): Mapped<CategoryRow> {
    const done = this.mapped.get(id);
    if (done) return done;
    const row = this.rows.get(id);
    if (!row) throw new Error(`category ${id} is not in the tree`);
    if (this.resolving.has(id)) {
      // A cycle in parent_category_id: no member can reach a level-1 category.
      const message = `the parent categories of ${id} form a cycle`;
      return { ok: false, problems: [{ code: "category_parent_not_imported", field: "parent_category_id", message }] };
    }
    this.resolving.add(id);
    const result = this.check(row);
    this.resolving.delete(id);
    this.mapped.set(id, result);
    return result;
  }

  private check(row: SourceCategory): Mapped<CategoryRow> {
    const checks = new RowChecks(this.repair);
    const trimmed = (row.name ?? "").trim();
    let name = trimmed;
    const nameMessage = validationMessage(() => text("name", trimmed, 1, NAME_MAX));
    if (nameMessage && charLength(trimmed) === 0) checks.fail("name_empty", "name", nameMessage);
    else if (nameMessage) name = checks.fix("name_too_long", "name", nameMessage, truncate(trimmed, NAME_MAX));

    const parentId = parentOf(row);
    let depth: number | null = 1;
    if (parentId !== null) {
      depth = null;
      const parent = this.rows.get(parentId);
      const parentResult = parent ? this.map(parentId) : null;
      if (!parentResult)
        checks.fail(
          "category_parent_missing",
          "parent_category_id",
          `parent category ${parentId} does not exist or is soft-deleted`,
        );
      else if (!parentResult.ok)
        checks.fail(
          "category_parent_not_imported",
          "parent_category_id",
          `parent category ${parentId} is not imported (${parentResult.problems.map((problem) => problem.code).join(", ")})`,
        );
      else if (parentResult.row.level >= 3)
        checks.fail("category_too_deep", "level", `parent category ${parentId} is at level 3, the deepest level`);
      else depth = parentResult.row.level + 1;
    }
    let level = depth ?? 0;
    if (depth !== null && row.level !== depth) {
      const fits = parentId === null ? "a category without a parent is level 1" : `its parent is level ${depth - 1}`;
      level = checks.fix("category_level_mismatch", "level", `level ${row.level} does not fit: ${fits}`, depth);
    }
    return checks.result({ id: row.id, name, level, isTab: Boolean(row.is_tab), parentId });
  }
}
