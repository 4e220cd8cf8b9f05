import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";

/**
 * The contrib extensions the migrations create (0005: pg_trgm, for the keyword
 * search's trigram indexes). PostgreSQL ships them in its contrib package;
 * embedded PGlite has only those it is given at start, so every PGlite the
 * project opens (the embedded databases, the drift check's scratch database)
 * is created with these.
 */
export const PGLITE_EXTENSIONS = { pg_trgm };
