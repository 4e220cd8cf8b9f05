/** The value of one sample (`name` or `name{labels}` exactly as exposed) in Prometheus text, or undefined. */
export function sampleValue(exposition: string, sample: string): number | undefined {
  const line = exposition.split("\n").find((entry) => entry.startsWith(`${sample} `));
  return line === undefined ? undefined : Number(line.slice(sample.length + 1));
}
