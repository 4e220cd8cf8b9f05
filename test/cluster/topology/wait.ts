/** Polling with a deadline, and errors that say what was awaited. */

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Thrown by a probe when waiting longer is pointless (the process died): waitFor fails at once. */
export class GiveUp extends Error {}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Extra text for the timeout error (e.g. the tail of the logs), computed only on failure. */
  details?: () => string;
}

/**
 * Calls `probe` until it returns something other than undefined/false, and
 * returns that. A throwing probe counts as "not yet" (its last error goes into
 * the timeout error), except for GiveUp, which ends the wait at once.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const result = await probe();
      if (result !== undefined && result !== false) return result;
    } catch (error) {
      lastError = error;
      if (error instanceof GiveUp) {
        const details = options.details?.();
        throw new Error(`gave up waiting for ${what}: ${error.message}${details ? `\n${details}` : ""}`);
      }
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? ` (last error: ${lastError.message})` : "";
      const details = options.details?.();
      throw new Error(
        `timed out after ${options.timeoutMs} ms waiting for ${what}${reason}${details ? `\n${details}` : ""}`,
      );
    }
    await sleep(options.intervalMs ?? 200);
  }
}

/** GET a URL with a short timeout: its status and body. */
export async function httpGet(url: string, timeoutMs = 1000): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: response.status, body: await response.text() };
}
