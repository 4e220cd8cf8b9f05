import type { Settings } from "./settings";

/** The services and the settings each reads, as the README's configuration table lists them. */
export type ServiceSettings = { service: string; settings: Settings }[];

const escapeCell = (cell: string) => cell.replaceAll("|", "\\|");

/**
 * The README's configuration table: one row per variable, naming the services
 * that read it. `test/config/readme-table.test.ts` fails when the README's copy
 * differs; `npm run docs:config` prints a fresh one.
 */
export function renderConfigTable(services: ServiceSettings): string {
  const rows = new Map<string, { services: string[]; defaultText: string; description: string }>();
  for (const { service, settings } of services) {
    for (const [variable, setting] of Object.entries(settings)) {
      const row = rows.get(variable);
      if (row) row.services.push(service);
      else
        rows.set(variable, { services: [service], defaultText: setting.defaultText, description: setting.description });
    }
  }
  const lines = ["| variable | services | default | meaning |", "| --- | --- | --- | --- |"];
  for (const [variable, row] of rows)
    lines.push(
      `| \`${variable}\` | ${row.services.join(", ")} | ${escapeCell(row.defaultText)} | ${escapeCell(row.description)} |`,
    );
  return lines.join("\n");
}
