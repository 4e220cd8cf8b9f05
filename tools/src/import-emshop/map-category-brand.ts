import { type Mapped, RowChecks } from "./problems";
import type { SourceCategoryBrand } from "./source-rows";
import type { CategoryBrandRow } from "./target-rows";

/** What the pair's references must be: imported (a soft-deleted or skipped category/brand is not). */
export interface References {
  category: { imported(id: number | null): boolean; exists(id: number | null): boolean };
  brand: { imported(id: number | null): boolean; exists(id: number | null): boolean };
}

/** Why a reference is not there, for the message: missing altogether, or skipped itself. */
export function referenceMessage(kind: "category" | "brand", id: number | null, exists: boolean) {
  return exists
    ? `${kind} ${id} is skipped (see its own report line)`
    : `${kind} ${id} does not exist or is soft-deleted`;
}

/** One goodscategorybrand row: both sides must be imported (the target has foreign keys). */
export function mapCategoryBrand(row: SourceCategoryBrand, references: References): Mapped<CategoryBrandRow> {
  const checks = new RowChecks(false);
  if (!references.category.imported(row.category_id))
    checks.fail(
      "category_missing",
      "category_id",
      referenceMessage("category", row.category_id, references.category.exists(row.category_id)),
    );
  if (!references.brand.imported(row.brands_id))
    checks.fail(
      "brand_missing",
      "brands_id",
      referenceMessage("brand", row.brands_id, references.brand.exists(row.brands_id)),
    );
  return checks.result({ id: row.id, categoryId: row.category_id ?? 0, brandId: row.brands_id ?? 0 });
}
