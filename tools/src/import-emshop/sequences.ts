import type { SqlClient } from "@emshop/db/sql-client";

/** The goods-database tables whose ids come from emshop (preserved) and from a sequence afterwards. */
export const SEQUENCE_TABLES = ["category", "brand", "category_brand", "banner", "goods"] as const;
export type SequenceTable = (typeof SEQUENCE_TABLES)[number];

export interface SequenceMove {
  table: SequenceTable;
  /** The id the next row would get before, and after the move. */
  from: number;
  to: number;
}

/**
 * Moves each id sequence past the highest id emshop ever handed out (soft-
 * deleted and skipped rows included, and for goods also every goods id that
 * inventory or an order record mentions), and past the target's own maximum.
 * So no new row reuses an id that old orders, reports or backups mean
 * something else by. A sequence never moves backwards; a dry run only tells.
 */
export async function moveSequences(
  goods: SqlClient,
  sourceMaxima: Record<SequenceTable, number>,
  apply: boolean,
): Promise<SequenceMove[]> {
  const moves: SequenceMove[] = [];
  for (const table of SEQUENCE_TABLES) {
    const state = await readSequence(goods, table);
    if (!state) continue;
    const highest = Math.max(sourceMaxima[table], state.targetMax);
    if (state.next > highest) continue;
    if (apply) await goods.query("SELECT setval($1, $2, true)", [state.sequence, highest]);
    moves.push({ table, from: state.next, to: highest + 1 });
  }
  return moves;
}

/** The sequence of `table`.id, the id it hands out next, and the table's highest id. */
async function readSequence(goods: SqlClient, table: SequenceTable) {
  const [named] = await goods.query<{ sequence: string | null }>(
    `SELECT pg_get_serial_sequence('${table}', 'id') AS sequence`,
  );
  if (!named?.sequence) return null;
  const [state] = await goods.query<{ last_value: string; is_called: boolean; target_max: number | null }>(
    `SELECT last_value, is_called, (SELECT max(id) FROM ${table}) AS target_max FROM ${named.sequence}`,
  );
  if (!state) return null;
  return {
    sequence: named.sequence,
    next: state.is_called ? Number(state.last_value) + 1 : Number(state.last_value),
    targetMax: state.target_max ?? 0,
  };
}
