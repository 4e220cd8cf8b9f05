import { randomBytes } from "node:crypto";
import { openSource, parseSourceUrl, type SourceDb } from "@emshop/tools/import-emshop/source";
import { describe, expect, it } from "vitest";
import { GOODS_SCHEMA, INVENTORY_SCHEMA } from "./emshop-schema";
import { GOODS_ROWS, goodsInsert, INVENTORY, inventoryInsert, SELLS_INSERT } from "./emshop-shop";

/** The MariaDB (or MySQL) server the import tests create throwaway emshop databases on. */
export const MARIADB_URL = process.env.TEST_MARIADB_URL ?? "mysql://root@127.0.0.1:3306/mysql";
const where = MARIADB_URL.replace(/\/\/[^@/]*@/, "//");
export const MARIADB_MISSING = `MariaDB not reachable at ${where} (set TEST_MARIADB_URL)`;

const admin = () => openSource("goods", parseSourceUrl("TEST_MARIADB_URL", MARIADB_URL), { database: false });

async function mariadbAnswers(): Promise<boolean> {
  try {
    const connection = await admin();
    await connection.close();
    return true;
  } catch {
    return false;
  }
}

export const mariadbUp = await mariadbAnswers();
if (!mariadbUp && !process.env.CI) console.log(`[import] ${MARIADB_MISSING}: the emshop import is not tested`);

/**
 * A describe block that needs MariaDB: without it, on CI one failing test
 * says so, and locally the block is skipped with the reason in its name
 * (never counted as passed), as the Redis tests do.
 */
export function describeWithMariadb(name: string, body: () => void) {
  if (mariadbUp) return describe(name, body);
  return describe(`${name} (skipped: ${MARIADB_MISSING})`, () => {
    if (process.env.CI) it("needs MariaDB on CI", () => expect.fail(MARIADB_MISSING));
    else it.skip(MARIADB_MISSING, () => undefined);
  });
}

export interface EmshopShop {
  /** mysql://… of each database, as EMSHOP_GOODS_MYSQL_URL / EMSHOP_INVENTORY_MYSQL_URL take them. */
  urls: { goods: string; inventory: string };
  names: { goods: string; inventory: string };
  /** Connections as the tool opens them (closed by the caller). */
  open(): Promise<{ goods: SourceDb; inventory: SourceDb }>;
  /** Runs statements on one of the shop's databases (to change the shop between runs). */
  exec(database: "goods" | "inventory", ...statements: string[]): Promise<void>;
  drop(): Promise<void>;
}

const urlOf = (database: string) => {
  const url = new URL(MARIADB_URL);
  url.pathname = `/${database}`;
  return url.toString();
};

/**
 * The emshop shop of emshop-shop.ts in two throwaway databases
 * (emshop_import_<label>_<random>_goods / _inv), created as gorm would, with
 * foreign key checks off while the awkward rows go in (a goods whose category
 * does not exist cannot be written otherwise: shops get there by hand).
 */
export async function createEmshopShop(label: string, options: { empty?: boolean } = {}): Promise<EmshopShop> {
  const base = `emshop_import_${label.replace(/\W/g, "_")}_${randomBytes(3).toString("hex")}`.toLowerCase();
  const names = { goods: `${base}_goods`, inventory: `${base}_inv` };
  const urls = { goods: urlOf(names.goods), inventory: urlOf(names.inventory) };
  const open = async () => {
    const goods = await openSource("goods", parseSourceUrl("goods", urls.goods));
    const inventory = await openSource("inventory", parseSourceUrl("inventory", urls.inventory));
    return { goods, inventory };
  };
  const exec = async (database: "goods" | "inventory", ...statements: string[]) => {
    const connection = await openSource(database, parseSourceUrl(database, urls[database]));
    try {
      for (const statement of statements) await connection.query(statement);
    } finally {
      await connection.close();
    }
  };
  const server = await admin();
  try {
    await server.query(`CREATE DATABASE ${names.goods} CHARACTER SET utf8mb4`);
    await server.query(`CREATE DATABASE ${names.inventory} CHARACTER SET utf8mb4`);
  } finally {
    await server.close();
  }
  await exec("goods", ...GOODS_SCHEMA);
  await exec("inventory", ...INVENTORY_SCHEMA);
  if (!options.empty) {
    await exec("goods", "SET FOREIGN_KEY_CHECKS = 0", ...GOODS_ROWS, goodsInsert());
    await exec("inventory", inventoryInsert(), SELLS_INSERT);
  }
  return {
    urls,
    names,
    open,
    exec,
    async drop() {
      const connection = await admin();
      try {
        await connection.query(`DROP DATABASE IF EXISTS ${names.goods}`);
        await connection.query(`DROP DATABASE IF EXISTS ${names.inventory}`);
      } finally {
        await connection.close();
      }
    },
  };
}

/** Ends the session of every connection to the shop's databases (a source connection lost mid-run). */
export async function killConnections(shop: EmshopShop) {
  const connection = await admin();
  try {
    const sessions = await connection.query<{ id: number }>(
      "SELECT id FROM information_schema.processlist WHERE db IN (?, ?) AND id <> CONNECTION_ID()",
      [shop.names.goods, shop.names.inventory],
    );
    for (const { id } of sessions) await connection.query(`KILL ${Number(id)}`);
    return sessions.length;
  } finally {
    await connection.close();
  }
}

/** Rows of the fixture, for assertions that derive from it (e.g. every source inventory row is backed up). */
export const SOURCE_INVENTORY_ROWS = INVENTORY.length;
