// `npm run start:prod`: the three compiled services (`npm run build` first) as
// plain Node processes, the way a deployment runs each of them
// (`node --enable-source-maps <service>/dist/index.js`), side by side for one
// machine. No dependencies: it works after `npm prune --omit=dev`.
// SIGINT/SIGTERM are passed on; each service drains and exits on its own.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const services = ["subgraphs/goods", "subgraphs/inventory", "gateway"];
const missing = services.filter((dir) => !existsSync(`${root}${dir}/dist/index.js`));
if (missing.length > 0) {
  console.error(`not built: ${missing.join(", ")}. Run \`npm run build\` first.`);
  process.exit(1);
}

let failed = false;
const children = services.map((dir) => {
  const child = spawn(process.execPath, ["--enable-source-maps", "dist/index.js"], {
    cwd: `${root}${dir}`,
    stdio: "inherit",
  });
  child.on("exit", (code, signal) => {
    if (code !== 0) failed = true;
    if (code !== 0) console.error(`${dir} exited with ${code ?? signal}`);
  });
  return child;
});
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    for (const child of children) child.kill(signal);
  });
}
await Promise.all(children.map((child) => new Promise((resolve) => child.once("close", resolve))));
process.exit(failed ? 1 : 0);
