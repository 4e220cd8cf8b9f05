// `npm run build` in a service: bundles src/index.ts and the workspace code it
// imports (@emshop/*, the generated Prisma client) into dist/index.js, plain
// ESM for Node 20 with a source map. npm packages stay external: they are the
// service's declared dependencies, installed by `npm ci --omit=dev`. esbuild
// rather than tsc emit because the sources import each other without file
// extensions (moduleResolution "Bundler") and the Prisma client is TypeScript.
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

/** Every bare import outside the workspace is left to Node's resolution at run time. */
const externalNpmPackages = {
  name: "external-npm-packages",
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith("@emshop/") ? undefined : { path: args.path, external: true },
    );
  },
};

/** Bundles the service in `dir`; returns esbuild's metafile (the imports it left external). */
export async function bundleService(dir) {
  const out = join(dir, "dist");
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const result = await build({
    entryPoints: [join(dir, "src", "index.ts")],
    outfile: join(out, "index.js"),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    sourcemap: true,
    metafile: true,
    logLevel: "warning",
    plugins: [externalNpmPackages],
  });
  // Read at run time next to the code (new URL("./schema.graphql", import.meta.url)).
  const sdl = join(dir, "src", "schema.graphql");
  if (existsSync(sdl)) copyFileSync(sdl, join(out, "schema.graphql"));
  // What went in and what was left external (test/build checks the latter against the declared dependencies).
  writeFileSync(join(out, "meta.json"), JSON.stringify(result.metafile));
  return result.metafile;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const dir = resolve(process.argv[2] ?? process.cwd());
  const started = performance.now();
  const metafile = await bundleService(dir);
  const bytes = Object.values(metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
  console.log(
    `bundled ${join(dir, "dist/index.js")} (${(bytes / 1024).toFixed(0)} KiB incl. map) in ${(performance.now() - started).toFixed(0)} ms`,
  );
}
