/** Columns a string takes in a terminal: CJK characters take two. */
export const displayWidth = (text: string) =>
  [...text].reduce(
    (width, char) =>
      width + (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\uff00-\uff60]/u.test(char) ? 2 : 1),
    0,
  );

/** `padEnd` by display width, so tables with Chinese keywords line up. */
export const pad = (text: string, width: number) => text + " ".repeat(Math.max(0, width - displayWidth(text)));
