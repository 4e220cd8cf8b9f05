import { defineConfig } from "vitest/config";

// One suite for the whole repo: unit tests (`*.test.ts`, in-process with
// executeOperation) and end-to-end tests (`*.e2e.ts`, real HTTP servers).
// Databases: TEST_DATABASE_URL (PostgreSQL) or embedded in-memory PGlite.
export default defineConfig({
  resolve: {
    // Vite would load graphql's ESM build while Apollo and graphql-inspector require() its
    // CommonJS build; schema objects from two copies fail graphql's instanceof checks.
    // Node (tsx, production) resolves both to the CommonJS build, so tests do the same.
    alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }],
  },
  test: {
    include: ["**/*.test.ts", "**/*.e2e.ts"],
    exclude: ["**/node_modules/**"],
    globalSetup: ["./support/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // The machine has 2 cores; more workers only add contention.
    maxWorkers: 2,
    reporters: ["default", "./support/summary-reporter.ts"],
  },
});
