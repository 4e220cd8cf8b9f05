/**
 * What the run started (the service, connections, the throwaway database)
 * registers how to undo it; `cleanup` undoes everything in reverse order, once,
 * whether the run ended, failed or was interrupted: a gigabyte database left
 * behind on a shared PostgreSQL server per aborted run would add up.
 */
const undos: { label: string; undo: () => unknown }[] = [];
let done: Promise<void> | undefined;

export function onCleanup(label: string, undo: () => unknown) {
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

/** Ctrl-C or a CI timeout: clean up, then exit 130. A second signal kills at once. */
export function cleanupOnSignals() {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the service and dropping the database…`);
      void cleanup().finally(() => process.exit(130));
    });
  }
}
