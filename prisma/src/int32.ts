/** Largest GraphQL Int and PostgreSQL INTEGER: ids, stocks and deltas must fit. */
export const INT32_MAX = 2_147_483_647;
