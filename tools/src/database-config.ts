import {
  databaseOptions,
  goodsDatabaseSettings,
  inventoryDatabaseSettings,
  poolSettings,
} from "@emshop/common/config/database";
import { ConfigError, loadConfig } from "@emshop/common/config/load";
import type { DatabaseOptions } from "@emshop/db/open-database";

/** The variables the tools read: the same database settings as the services. */
export const toolSettings = {
  GOODS_DATABASE_URL: goodsDatabaseSettings.GOODS_DATABASE_URL,
  INVENTORY_DATABASE_URL: inventoryDatabaseSettings.INVENTORY_DATABASE_URL,
  ...poolSettings,
};

/**
 * Both databases as the services are configured to reach them; a bad value
 * prints what is wrong and exits 1 (exit code 2 is the CLIs' "bad options").
 */
export function toolDatabases(
  tool: string,
  env: Record<string, string | undefined>,
  overrides: Partial<DatabaseOptions> = {},
): { goods: DatabaseOptions; inventory: DatabaseOptions } {
  try {
    const config = loadConfig(tool, toolSettings, env);
    return {
      goods: { ...databaseOptions("goods", config.GOODS_DATABASE_URL, config), ...overrides },
      inventory: { ...databaseOptions("inventory", config.INVENTORY_DATABASE_URL, config), ...overrides },
    };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
