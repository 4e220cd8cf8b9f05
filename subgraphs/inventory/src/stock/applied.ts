/**
 * The stock_sell rows that a sellStock or rebackStock call has just applied
 * (stock actually moved), as opposed to the record of an earlier call answered
 * again (an idempotent replay, a second reback, an empty rollback). The rows
 * look the same either way, so the functions that know mark them here; the
 * units-sold and units-returned counters count only marked rows.
 */
const applied = new WeakSet<object>();

export const markApplied = <Row extends object>(row: Row): Row => {
  applied.add(row);
  return row;
};

export const wasApplied = (row: object): boolean => applied.has(row);
