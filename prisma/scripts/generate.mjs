// Generates the Prisma clients for both databases without network access.
// The Prisma CLI downloads its schema-engine binary before `generate`, which
// cannot succeed on machines without internet access. `generate` never runs
// that engine, so pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file
// (here: the node binary itself) skips the download.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

// A production install (`npm ci --omit=dev`) has no Prisma CLI, and needs none:
// the compiled services (`npm run build`) carry the generated clients.
try {
  createRequire(import.meta.url).resolve("prisma/package.json");
} catch {
  console.log("prisma CLI not installed (production install): client generation skipped");
  process.exit(0);
}
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
