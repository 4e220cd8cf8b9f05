import { Presets, SingleBar } from "cli-progress";

/**
 * A progress bar on stderr (rows processed / total, rate, ETA) for people at a
 * terminal; silent when stderr is not a TTY or output is JSON for machines.
 */
export function createProgress(enabled: boolean) {
  if (!enabled || !process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar(
    {
      format: " {bar} {percentage}% | {value}/{total} rows | {rate} rows/s | ETA {eta_formatted}",
      stream: process.stderr,
      etaBuffer: 50,
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  const started = performance.now();
  let running = false;
  return {
    update(processed: number, total: number) {
      const rate = Math.round(processed / Math.max((performance.now() - started) / 1000, 0.001));
      if (!running) {
        bar.start(total, processed, { rate });
        running = true;
      } else bar.update(processed, { rate });
    },
    stop: () => running && bar.stop(),
  };
}
