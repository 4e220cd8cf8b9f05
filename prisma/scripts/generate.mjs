// Generates the Prisma clients for both databases without network access.
// The Prisma CLI downloads its schema-engine binary before `generate`, which
// cannot succeed on machines without internet access. `generate` never runs
// that engine, so pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file
// (here: the node binary itself) skips the download.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
};

for (const db of ["goods", "inventory"]) {
  const cli = spawnSync(
    "npx",
    ["--no-install", "prisma", "generate", "--schema", join(here, "..", db, "schema.prisma")],
    {
      env,
      stdio: "inherit",
      cwd: join(here, ".."),
    },
  );
  if (cli.status !== 0) {
    console.error(`prisma generate failed for the ${db} schema (exit ${cli.status ?? cli.signal})`);
    process.exit(1);
  }
}
