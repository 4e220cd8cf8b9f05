import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import schemaWasm from "@prisma/prisma-schema-wasm";
import { MIGRATIONS_TABLE, migrate } from "./migrate";
import { type DatabaseName, migrationsDir, repoRoot } from "./paths";
import { PGLITE_EXTENSIONS } from "./pglite-extensions";
import { pgliteSqlClient, type SqlClient } from "./sql-client";

/**
 * Proves that the SQL migrations (what the database really is) and the Prisma
 * models (what the code believes it is) describe the same tables: columns,
 * types, nullability, primary keys, unique and plain indexes. `prisma migrate diff`
 * would do this, but it needs the schema-engine binary, which these machines
 * cannot download; the schema WASM module parses the Prisma schema offline.
 */

/** One column, described the same way from both sides, e.g. `goods.name varchar(50) not null`. */
type ColumnShape = string;

interface TableShape {
  columns: Map<string, ColumnShape>;
  primaryKey: string;
  uniques: Set<string>;
  /** Non-unique indexes as `method(col,col)`, e.g. `btree(category_id,shop_price,id)`, `gin(name)`. */
  indexes: Set<string>;
}

type SchemaShape = Map<string, TableShape>;

export const prismaSchemaPath = (db: DatabaseName) => join(repoRoot, "prisma", db, "schema.prisma");

// ---- Prisma side -------------------------------------------------------------

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: string;
  type: string;
  isList: boolean;
  isRequired: boolean;
  isUnique: boolean;
  isId: boolean;
  nativeType?: [string, string[]] | null;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
  primaryKey: { fields: string[] } | null;
  uniqueIndexes: { fields: string[] }[];
}
interface DmmfIndex {
  model: string;
  type: "id" | "unique" | "normal" | "fulltext";
  algorithm?: string;
  fields: { name: string }[];
}

/** Postgres type of a Prisma scalar, as `format_type` prints it. */
function prismaColumnType(field: DmmfField): string {
  const [native, args = []] = field.nativeType ?? [];
  const withArgs = (name: string) => (args.length ? `${name}(${args.join(",")})` : name);
  let type: string;
  switch (native) {
    case "VarChar":
      type = withArgs("character varying");
      break;
    case "Char":
      type = withArgs("character");
      break;
    case "Text":
      type = "text";
      break;
    case "Decimal":
      type = withArgs("numeric");
      break;
    case "Timestamptz":
      type = `timestamp(${args[0] ?? 6}) with time zone`;
      break;
    case "Timestamp":
      type = `timestamp(${args[0] ?? 6}) without time zone`;
      break;
    case "SmallInt":
      type = "smallint";
      break;
    case "Uuid":
      type = "uuid";
      break;
    case undefined: {
      const defaults: Record<string, string> = {
        Int: "integer",
        BigInt: "bigint",
        String: "text",
        Boolean: "boolean",
        Float: "double precision",
        Decimal: "numeric(65,30)",
        DateTime: "timestamp(3) without time zone",
        Json: "jsonb",
        Bytes: "bytea",
      };
      type = defaults[field.type] ?? `unknown prisma type ${field.type}`;
      break;
    }
    default:
      type = `unsupported native type @db.${native}`;
  }
  return field.isList ? `${type}[]` : type;
}

export function prismaSchemaShape(prismaSchema: string): SchemaShape {
  const dmmf = JSON.parse(schemaWasm.get_dmmf(JSON.stringify({ prismaSchema }))) as {
    datamodel: { models: DmmfModel[]; indexes: DmmfIndex[] };
  };
  const shape: SchemaShape = new Map();
  for (const model of dmmf.datamodel.models) {
    const scalars = model.fields.filter((field) => field.kind === "scalar" || field.kind === "enum");
    const column = (fieldName: string) => {
      const field = scalars.find((candidate) => candidate.name === fieldName);
      return field?.dbName ?? fieldName;
    };
    const columns = new Map<string, ColumnShape>();
    for (const field of scalars) {
      // Prisma lists are NOT NULL arrays in PostgreSQL.
      const nullable = !field.isRequired && !field.isList;
      columns.set(field.dbName ?? field.name, `${prismaColumnType(field)} ${nullable ? "null" : "not null"}`);
    }
    const idFields = model.primaryKey?.fields ?? scalars.filter((field) => field.isId).map((field) => field.name);
    const uniques = new Set<string>([
      ...scalars.filter((field) => field.isUnique).map((field) => column(field.name)),
      ...model.uniqueIndexes.map((index) => index.fields.map(column).join(",")),
    ]);
    const indexes = new Set<string>(
      dmmf.datamodel.indexes
        .filter((index) => index.model === model.name && index.type === "normal")
        .map(
          (index) =>
            `${(index.algorithm ?? "BTree").toLowerCase()}(${index.fields.map((f) => column(f.name)).join(",")})`,
        ),
    );
    shape.set(model.dbName ?? model.name, { columns, primaryKey: idFields.map(column).join(","), uniques, indexes });
  }
  return shape;
}

// ---- Database side -------------------------------------------------------------

export async function databaseSchemaShape(sql: SqlClient): Promise<SchemaShape> {
  const columns = await sql.query<{ table_name: string; column_name: string; type: string; not_null: boolean }>(
    `SELECT c.relname AS table_name, a.attname AS column_name,
            format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null
     FROM pg_attribute a
     JOIN pg_class c ON c.oid = a.attrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
       AND c.relname <> $1
     ORDER BY c.relname, a.attnum`,
    [MIGRATIONS_TABLE],
  );
  const indexes = await sql.query<{
    table_name: string;
    is_primary: boolean;
    is_unique: boolean;
    method: string;
    columns: string;
  }>(
    `SELECT t.relname AS table_name, i.indisprimary AS is_primary, i.indisunique AS is_unique,
            am.amname AS method, string_agg(a.attname, ',' ORDER BY k.ord) AS columns
     FROM pg_index i
     JOIN pg_class t ON t.oid = i.indrelid
     JOIN pg_class ic ON ic.oid = i.indexrelid
     JOIN pg_am am ON am.oid = ic.relam
     JOIN pg_namespace n ON n.oid = t.relnamespace
     CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
     JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
     WHERE n.nspname = 'public' AND t.relname <> $1
     GROUP BY t.relname, i.indexrelid, i.indisprimary, i.indisunique, am.amname`,
    [MIGRATIONS_TABLE],
  );
  const shape: SchemaShape = new Map();
  const table = (name: string) => {
    let entry = shape.get(name);
    if (!entry) {
      entry = { columns: new Map(), primaryKey: "", uniques: new Set(), indexes: new Set() };
      shape.set(name, entry);
    }
    return entry;
  };
  for (const row of columns) {
    // format_type prints numeric(12,2) etc. without spaces after commas, like prismaColumnType.
    table(row.table_name).columns.set(row.column_name, `${row.type} ${row.not_null ? "not null" : "null"}`);
  }
  for (const row of indexes) {
    if (row.is_primary) table(row.table_name).primaryKey = row.columns;
    else if (row.is_unique) table(row.table_name).uniques.add(row.columns);
    else table(row.table_name).indexes.add(`${row.method}(${row.columns})`);
  }
  return shape;
}

// ---- Comparison -------------------------------------------------------------

/** Human-readable differences; empty when migrations and Prisma models agree. */
export function compareShapes(migrated: SchemaShape, prisma: SchemaShape): string[] {
  const differences: string[] = [];
  for (const name of new Set([...migrated.keys(), ...prisma.keys()])) {
    const inDb = migrated.get(name);
    const inPrisma = prisma.get(name);
    if (!inDb || !inPrisma) {
      differences.push(`table ${name} exists only in ${inDb ? "the migrations" : "the Prisma schema"}`);
      continue;
    }
    for (const column of new Set([...inDb.columns.keys(), ...inPrisma.columns.keys()])) {
      const a = inDb.columns.get(column);
      const b = inPrisma.columns.get(column);
      if (a === undefined || b === undefined) {
        differences.push(`column ${name}.${column} exists only in ${a ? "the migrations" : "the Prisma schema"}`);
      } else if (a !== b) {
        differences.push(`column ${name}.${column} is "${a}" in the migrations but "${b}" in the Prisma schema`);
      }
    }
    if (inDb.primaryKey !== inPrisma.primaryKey) {
      differences.push(
        `table ${name} has primary key (${inDb.primaryKey}) in the migrations but (${inPrisma.primaryKey}) in the Prisma schema`,
      );
    }
    for (const unique of new Set([...inDb.uniques, ...inPrisma.uniques])) {
      if (!inDb.uniques.has(unique) || !inPrisma.uniques.has(unique)) {
        differences.push(
          `unique index ${name}(${unique}) exists only in ${inDb.uniques.has(unique) ? "the migrations" : "the Prisma schema"}`,
        );
      }
    }
    for (const index of new Set([...inDb.indexes, ...inPrisma.indexes])) {
      if (!inDb.indexes.has(index) || !inPrisma.indexes.has(index)) {
        differences.push(
          `index ${name} ${index} exists only in ${inDb.indexes.has(index) ? "the migrations" : "the Prisma schema"}`,
        );
      }
    }
  }
  return differences;
}

export interface DriftCheckOptions {
  database: DatabaseName;
  /** Prisma schema text (default: prisma/<database>/schema.prisma). */
  prismaSchema?: string;
  /** Folder of .sql migrations (default: migrations/<database>). */
  migrationsDir?: string;
}

/** Applies every migration to a fresh in-memory database and compares it with the Prisma models. */
export async function findPrismaMigrationDrift(options: DriftCheckOptions): Promise<string[]> {
  const lite = await PGlite.create({ extensions: PGLITE_EXTENSIONS });
  try {
    const sql = pgliteSqlClient(lite);
    await migrate(sql, options.database, { dir: options.migrationsDir ?? migrationsDir(options.database) });
    const prismaSchema = options.prismaSchema ?? readFileSync(prismaSchemaPath(options.database), "utf8");
    return compareShapes(await databaseSchemaShape(sql), prismaSchemaShape(prismaSchema));
  } finally {
    await lite.close();
  }
}

/** The check for both databases, as `schema:check` and the tests run it. */
export async function checkPrismaMigrationDrift(): Promise<{ database: DatabaseName; differences: string[] }[]> {
  const results = [];
  for (const database of ["goods", "inventory"] as const) {
    results.push({ database, differences: await findPrismaMigrationDrift({ database }) });
  }
  return results;
}
