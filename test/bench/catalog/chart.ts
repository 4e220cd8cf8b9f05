import type { ProcessName, RunFigures } from "./measure";
import { ERROR_TOLERANCE, type TargetSummary } from "./report";
import { TARGET_NAMES, type TargetKey } from "./targets";

/**
 * The run as a hand-written SVG (no chart library to install or keep
 * working): req/s and p99 as grouped bars, one group per round plus the
 * median, one colour per target; then the median CPU per request of each
 * target, stacked by process. Opens in any browser and renders on GitHub.
 */

const COLORS: Record<TargetKey, string> = { A: "#d9480f", B: "#1c7ed6", C: "#5f3dc4", D: "#2b8a3e" };
const PROCESS_COLORS: Record<ProcessName, string> = { gateway: "#e8590c", goods: "#40c057", inventory: "#fab005" };
const WIDTH = 960;
const LEFT = 80;
const RIGHT = 24;
const PANEL_HEIGHT = 250;
const PLOT_TOP = 34;
const PLOT_BOTTOM = 40;

const escapeXml = (text: string) => text.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
const text = (x: number, y: number, content: string, attrs = "") =>
  `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${escapeXml(content)}</text>`;

/** A 1/2/5 × 10^k step giving about five gridlines up to `max`. */
function niceStep(max: number): number {
  const raw = max / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
}

/** Axis and bar labels: integers as they are, small values with two significant decimals at most. */
const format = (value: number) => {
  if (Number.isInteger(value) || value >= 100) return value.toFixed(0);
  return String(Number(value.toFixed(value >= 10 ? 1 : 2)));
};

interface Bar {
  value: number;
  color: string;
  label?: string;
  /** Shown in red above the bar, e.g. the share of failed answers. */
  note?: string;
}

/** One panel: groups of bars (each bar may be a stack) on a y axis from 0. */
function panel(options: {
  top: number;
  title: string;
  unit: string;
  groups: { label: string; bars: Bar[][] }[];
}): string {
  const plotTop = options.top + PLOT_TOP;
  const plotHeight = PANEL_HEIGHT - PLOT_TOP - PLOT_BOTTOM;
  const plotWidth = WIDTH - LEFT - RIGHT;
  const stacks = options.groups.flatMap((group) => group.bars);
  const max = Math.max(1e-9, ...stacks.map((stack) => stack.reduce((sum, bar) => sum + (bar.value || 0), 0)));
  const step = niceStep(max);
  const top = Math.ceil(max / step) * step;
  const y = (value: number) => plotTop + plotHeight - (value / top) * plotHeight;
  const out = [text(LEFT, options.top + 20, options.title, 'font-size="15" font-weight="bold"')];
  for (let tick = 0; tick <= top + step / 2; tick += step) {
    out.push(
      `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y(tick).toFixed(1)}" y2="${y(tick).toFixed(1)}" stroke="#dee2e6"/>`,
    );
    out.push(text(LEFT - 8, y(tick) + 4, format(tick), 'text-anchor="end" font-size="11" fill="#495057"'));
  }
  out.push(
    text(
      18,
      plotTop + plotHeight / 2,
      options.unit,
      `font-size="12" fill="#495057" text-anchor="middle" transform="rotate(-90 18 ${(plotTop + plotHeight / 2).toFixed(1)})"`,
    ),
  );
  const groupWidth = plotWidth / options.groups.length;
  for (const [g, group] of options.groups.entries()) {
    const inner = groupWidth * 0.8;
    const barWidth = inner / Math.max(1, group.bars.length);
    const x0 = LEFT + g * groupWidth + (groupWidth - inner) / 2;
    for (const [b, stack] of group.bars.entries()) {
      let base = 0;
      const x = x0 + b * barWidth;
      for (const bar of stack) {
        if (!Number.isFinite(bar.value) || bar.value <= 0) continue;
        out.push(
          `<rect x="${(x + 1).toFixed(1)}" y="${y(base + bar.value).toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${(y(base) - y(base + bar.value)).toFixed(1)}" fill="${bar.color}"/>`,
        );
        base += bar.value;
      }
      const label = stack.length === 1 ? stack[0]?.label : undefined;
      if (base > 0)
        out.push(
          text(
            x + barWidth / 2,
            y(base) - 3,
            label ?? format(base),
            'text-anchor="middle" font-size="10" fill="#212529"',
          ),
        );
      const note = stack.length === 1 ? stack[0]?.note : undefined;
      if (note)
        out.push(text(x + barWidth / 2, y(base) - 15, note, 'text-anchor="middle" font-size="10" fill="#c92a2a"'));
    }
    out.push(
      text(
        LEFT + g * groupWidth + groupWidth / 2,
        plotTop + plotHeight + 18,
        group.label,
        'text-anchor="middle" font-size="12"',
      ),
    );
  }
  out.push(`<line x1="${LEFT}" x2="${LEFT}" y1="${plotTop}" y2="${plotTop + plotHeight}" stroke="#495057"/>`);
  out.push(
    `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${plotTop + plotHeight}" y2="${plotTop + plotHeight}" stroke="#495057"/>`,
  );
  return out.join("\n");
}

function legend(y: number, entries: { label: string; color: string }[]): string {
  let x = LEFT;
  return entries
    .map((entry) => {
      const item = `<rect x="${x}" y="${y - 10}" width="12" height="12" fill="${entry.color}"/>${text(x + 17, y, entry.label, 'font-size="12"')}`;
      x += 30 + entry.label.length * 6.6;
      return item;
    })
    .join("\n");
}

export function renderChart(input: {
  title: string;
  subtitle: string;
  targets: TargetKey[];
  runs: RunFigures[];
  summaries: TargetSummary[];
}): string {
  const rounds = [...new Set(input.runs.map((run) => run.round))].sort((a, b) => a - b);
  const errorNote = (share: number | undefined) =>
    share !== undefined && share > ERROR_TOLERANCE ? { note: `${(share * 100).toFixed(0)}% err` } : {};
  const byRound = (read: (run: RunFigures) => number) =>
    rounds.map((round) => ({
      label: `round ${round}`,
      bars: input.targets.map((target) => {
        const run = input.runs.find((r) => r.round === round && r.target === target);
        return [{ value: run ? read(run) : Number.NaN, color: COLORS[target], ...errorNote(run?.errorShare) }];
      }),
    }));
  const summaryOf = (target: TargetKey) => input.summaries.find((s) => s.target === target);
  const medianGroup = (read: (summary: TargetSummary) => number) => ({
    label: "median",
    bars: input.targets.map((target) => {
      const summary = summaryOf(target);
      return [
        { value: summary ? read(summary) : Number.NaN, color: COLORS[target], ...errorNote(summary?.errorShare) },
      ];
    }),
  });
  const headerHeight = 70;
  const height = headerHeight + 3 * PANEL_HEIGHT + 30;
  const processes: ProcessName[] = ["gateway", "goods", "inventory"];
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    text(LEFT, 26, input.title, 'font-size="18" font-weight="bold"'),
    text(LEFT, 46, input.subtitle, 'font-size="12" fill="#495057"'),
    legend(
      66,
      input.targets.map((target) => ({ label: `${target} ${TARGET_NAMES[target]}`, color: COLORS[target] })),
    ),
    panel({
      top: headerHeight,
      title: "Throughput: successful answers per second (higher is better; red: share of failed answers)",
      unit: "requests per second",
      groups: [...byRound((run) => run.reqPerSec), medianGroup((s) => s.reqPerSec)],
    }),
    panel({
      top: headerHeight + PANEL_HEIGHT,
      title: "p99 latency (lower is better)",
      unit: "p99 ms",
      groups: [...byRound((run) => run.p99Ms), medianGroup((s) => s.p99Ms)],
    }),
    panel({
      top: headerHeight + 2 * PANEL_HEIGHT,
      title: "CPU per request by process, median (lower is better)",
      unit: "CPU ms per request",
      groups: input.targets.map((target) => ({
        label: `${target} ${TARGET_NAMES[target]}`,
        bars: [
          processes.map((name) => ({
            value: summaryOf(target)?.cpuMsPerRequest[name] ?? Number.NaN,
            color: PROCESS_COLORS[name],
          })),
        ],
      })),
    }),
    legend(
      headerHeight + 3 * PANEL_HEIGHT + 14,
      processes.map((name) => ({ label: `${name} process`, color: PROCESS_COLORS[name] })),
    ),
    "</svg>",
  ];
  return `${parts.join("\n")}\n`;
}
