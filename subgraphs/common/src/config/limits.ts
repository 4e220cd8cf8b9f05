import type { Setting } from "./settings";

/** Abuse limits every HTTP service reads (filled in by the limits work; see subgraphs/common/src/limits). */
export const limitSettings = {} satisfies Record<string, Setting<unknown>>;
