// The npm registry mirror these machines use serves only the Linux builds of
// packages that ship per-platform binaries (biome, turbo, esbuild, ...), so
// `npm install` leaves the other platforms' optional packages out of
// package-lock.json, and `npm ci` then rejects the lockfile as out of sync.
// This adds a lock entry, with the os/cpu that make npm skip it on Linux, for
// each such optional dependency. Run it after changing dependencies:
//   node .ci/lock-platform-stubs.mjs
import { readFileSync, writeFileSync } from "node:fs";

const path = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(path, "utf8"));
const packages = lock.packages;

function platformOf(name) {
  const id = name.split("/").pop();
  const os = [
    "darwin",
    "win32",
    "windows",
    "android",
    "freebsd",
    "openbsd",
    "netbsd",
    "sunos",
    "aix",
    "linux",
    "openharmony",
    "cygwin",
  ].find((candidate) => id.includes(candidate));
  if (!os) return null;
  const cpu =
    ["arm64", "x64", "ia32", "arm", "ppc64", "s390x", "riscv64", "loong64", "mips64el"].find((candidate) =>
      new RegExp(`(^|-)${candidate}($|-)`).test(id),
    ) ?? (id.includes("-64") ? "x64" : null);
  return { os: os === "windows" ? "win32" : os, cpu, musl: id.includes("musl") };
}

let added = 0;
for (const [key, entry] of Object.entries(packages)) {
  for (const [dep, range] of Object.entries(entry.optionalDependencies ?? {})) {
    const base = key === "" ? "" : `${key}/`;
    if (packages[`${base}node_modules/${dep}`] || packages[`node_modules/${dep}`]) continue;
    const platform = platformOf(dep);
    if (!platform || (platform.os === "linux" && !platform.musl)) continue;
    packages[`node_modules/${dep}`] = {
      version: range.replace(/^[\^~]/, ""),
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      os: [platform.os],
      ...(platform.cpu ? { cpu: [platform.cpu] } : {}),
      ...(platform.musl ? { libc: ["musl"] } : {}),
    };
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))),
);
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`added ${added} platform stub(s) to package-lock.json`);
