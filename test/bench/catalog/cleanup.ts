/**
 * Everything a benchmark starts (databases, services, Hive, wrk, a temp
 * dir; used by `npm run bench` and `npm run bench:catalog-scale`) registers how to undo it here; `cleanup` undoes all of it in reverse
 * order, once, whether the run ended, failed, or was interrupted. Throwaway
 * databases left behind would pile up on a shared PostgreSQL server.
 */
type Undo = () => unknown;

const undos: { label: string; undo: Undo }[] = [];
let done: Promise<void> | undefined;
let signalled: NodeJS.Signals | undefined;

/** The signal that interrupted the run, if one did: what failed after it is a consequence, not news. */
export const interruptedBy = () => signalled;

export function onCleanup(label: string, undo: Undo) {
  undos.push({ label, undo });
}

export function cleanup(): Promise<void> {
  done ??= (async () => {
    for (let entry = undos.pop(); entry; entry = undos.pop()) {
      try {
        await entry.undo();
      } catch (error) {
        console.error(`cleanup: ${entry.label} failed: ${(error as Error).message}`);
      }
    }
  })();
  return done;
}

/**
 * Ctrl-C (or a CI timeout's SIGTERM): clean up, then exit 130. Only the first
 * signal is handled; a second one kills the benchmark at once, as a user
 * pressing Ctrl-C twice expects (the exit hook of process-stack still kills
 * the services then, but the databases may stay).
 */
export function cleanupOnSignals(what = "stopping every process and dropping the databases") {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      signalled = signal;
      console.error(`\n${signal}: ${what}…`);
      void cleanup().finally(() => process.exit(130));
    });
  }
}
