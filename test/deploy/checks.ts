import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { repoRoot } from "@emshop/db/paths";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { Job } from "kubernetes-models/batch/v1/Job";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { parseAllDocuments } from "yaml";

/*
 * The rules test/deploy/manifests.test.ts holds deploy/ to, as functions from the
 * parsed files to a list of problems (empty: fine), so that each rule can also be
 * shown to reject a broken copy.
 */

export const KUBERNETES_DIR = join(repoRoot, "deploy", "kubernetes");

/* biome-ignore lint/suspicious/noExplicitAny: manifests are untyped YAML; the schemas check their shape */
export type K8sObject = Record<string, any>;

export interface K8sDocument {
  /** Relative to deploy/kubernetes, e.g. "goods.yaml" or "examples/gateway-hpa.yaml". */
  file: string;
  object: K8sObject;
}

/** Every YAML document under deploy/kubernetes (recursively); a YAML error throws, naming the file. */
export function loadKubernetes(dir = KUBERNETES_DIR): K8sDocument[] {
  const files = (readdirSync(dir, { recursive: true }) as string[]).filter((file) => /\.ya?ml$/.test(file)).sort();
  return files.flatMap((file) => {
    const docs = parseAllDocuments(readFileSync(join(dir, file), "utf8"));
    if (!Array.isArray(docs)) return [];
    return docs.flatMap((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((error) => error.message).join("; ")}`);
      const object = doc.toJS() as K8sObject | null;
      return object === null ? [] : [{ file, object }];
    });
  });
}

/** What `kubectl apply -f deploy/kubernetes/` applies: the files directly in the folder (not jobs/, examples/). */
export const applied = (docs: K8sDocument[]) => docs.filter((doc) => !doc.file.includes("/"));

// ------------------------------------------------------------------------- schemas

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: never) => Validatable;

/** kubernetes-models' classes (their ajv validators come from the Kubernetes OpenAPI schemas). */
const MODELS: Record<string, ModelClass> = {
  "v1/Namespace": Namespace as unknown as ModelClass,
  "v1/ConfigMap": ConfigMap as unknown as ModelClass,
  "v1/Secret": Secret as unknown as ModelClass,
  "v1/Service": Service as unknown as ModelClass,
  "apps/v1/Deployment": Deployment as unknown as ModelClass,
  "batch/v1/Job": Job as unknown as ModelClass,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget as unknown as ModelClass,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler as unknown as ModelClass,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy as unknown as ModelClass,
};

const nameOf = (doc: K8sDocument) => `${doc.file}: ${doc.object.kind}/${doc.object.metadata?.name}`;

/** Each object against the OpenAPI schema of its apiVersion/kind; an unknown kind is a problem too. */
export function schemaProblems(docs: K8sDocument[]): string[] {
  return docs.flatMap((doc) => {
    const Model = MODELS[`${doc.object.apiVersion}/${doc.object.kind}`];
    if (!Model) return [`${nameOf(doc)}: no schema for ${doc.object.apiVersion} ${doc.object.kind}`];
    try {
      new Model(doc.object as never).validate();
      return [];
    } catch (error) {
      return [`${nameOf(doc)}: ${(error as Error).message}`];
    }
  });
}

/** The fields the schemas allow but a typo would silently drop (they do not refuse unknown keys). */
const CONTAINER_FIELDS = new Set([
  "name",
  "image",
  "imagePullPolicy",
  "command",
  "args",
  "workingDir",
  "ports",
  "env",
  "envFrom",
  "resources",
  "volumeMounts",
  "startupProbe",
  "readinessProbe",
  "livenessProbe",
  "lifecycle",
  "securityContext",
]);

/** Container keys outside the ones these manifests use: a misspelt `readinesProbe` would pass the schema. */
export function unknownFieldProblems(docs: K8sDocument[]): string[] {
  return workloads(docs).flatMap(({ doc, pod }) =>
    (pod.containers ?? []).flatMap((container: K8sObject) =>
      Object.keys(container)
        .filter((key) => !CONTAINER_FIELDS.has(key))
        .map((key) => `${nameOf(doc)}: container ${container.name} has an unexpected field "${key}"`),
    ),
  );
}

// ------------------------------------------------------------------------- lookups

const ofKind = (docs: K8sDocument[], kind: string) => docs.filter((doc) => doc.object.kind === kind);

/** Deployments and Jobs with their pod spec. */
function workloads(docs: K8sDocument[]) {
  return docs
    .filter((doc) => doc.object.kind === "Deployment" || doc.object.kind === "Job")
    .map((doc) => ({ doc, pod: (doc.object.spec?.template?.spec ?? {}) as K8sObject }));
}

const deployments = (docs: K8sDocument[]) => ofKind(docs, "Deployment");

export const findObject = (docs: K8sDocument[], kind: string, name: string) =>
  docs.find((doc) => doc.object.kind === kind && doc.object.metadata?.name === name)?.object;

/** Whether `labels` carry every pair of `matchLabels` (and match no expression: none are used here). */
const selects = (matchLabels: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  matchLabels !== undefined &&
  Object.keys(matchLabels).length > 0 &&
  Object.entries(matchLabels).every(([key, value]) => labels?.[key] === value);

/** The service a Deployment runs (its app.kubernetes.io/name). */
export const serviceOf = (object: K8sObject): string =>
  object.spec?.template?.metadata?.labels?.["app.kubernetes.io/name"];

/** The ConfigMap data a Deployment's containers read through envFrom. */
export function configOf(docs: K8sDocument[], deployment: K8sObject): Record<string, string> {
  const containers: K8sObject[] = deployment.spec?.template?.spec?.containers ?? [];
  const data: Record<string, string> = {};
  for (const container of containers)
    for (const source of container.envFrom ?? []) {
      const name = source.configMapRef?.name;
      if (name) Object.assign(data, findObject(docs, "ConfigMap", name)?.data ?? {});
    }
  return data;
}

// ------------------------------------------------------------------------- probes and resources

/** Every Deployment container: readiness on /health/ready, liveness on /health/live, CPU and memory requests. */
export function probeProblems(docs: K8sDocument[]): string[] {
  return deployments(docs).flatMap((doc) =>
    (doc.object.spec?.template?.spec?.containers ?? []).flatMap((container: K8sObject) => {
      const where = `${nameOf(doc)} container ${container.name}`;
      const problems: string[] = [];
      if (container.readinessProbe?.httpGet?.path !== "/health/ready")
        problems.push(`${where}: no readinessProbe on /health/ready`);
      if (container.livenessProbe?.httpGet?.path !== "/health/live")
        problems.push(`${where}: no livenessProbe on /health/live`);
      if (!container.resources?.requests?.cpu || !container.resources?.requests?.memory)
        problems.push(`${where}: needs resources.requests.cpu and .memory`);
      if (!container.resources?.limits?.memory) problems.push(`${where}: needs a memory limit`);
      const port = (container.ports ?? []).find((p: K8sObject) => p.name === "http")?.containerPort;
      for (const probe of ["readinessProbe", "livenessProbe", "startupProbe"])
        if (container[probe] && container[probe].httpGet?.port !== "http" && container[probe].httpGet?.port !== port)
          problems.push(`${where}: ${probe} is not on the service's port`);
      return problems;
    }),
  );
}

// ------------------------------------------------------------------------- the drain

/** The services add this much to SHUTDOWN_DELAY_MS + SHUTDOWN_TIMEOUT_MS before they give up (README "Shutdown drains"). */
export const CLOSE_MARGIN_MS = 5000;

/** Seconds of a preStop sleep: `exec: [sleep, N]` or `sleep: {seconds: N}`; 0 without one. */
export function preStopSeconds(container: K8sObject): number {
  const preStop = container.lifecycle?.preStop;
  if (preStop?.sleep?.seconds !== undefined) return Number(preStop.sleep.seconds);
  const command: string[] = preStop?.exec?.command ?? [];
  if (command.length === 2 && command[0] === "sleep" && /^\d+$/.test(command[1] ?? "")) return Number(command[1]);
  return 0;
}

/** The drain settings a service is configured with: its ConfigMap, else the setting's default. */
export type DrainDefaults = (service: string) => { SHUTDOWN_DELAY_MS: number; SHUTDOWN_TIMEOUT_MS: number };

/**
 * preStop >= readiness period x failureThreshold (the endpoints stop routing first), and
 * terminationGracePeriodSeconds > preStop + SHUTDOWN_DELAY_MS + SHUTDOWN_TIMEOUT_MS + 5 s
 * (the kubelet never SIGKILLs a pod that is still draining); a positive SHUTDOWN_DELAY_MS.
 */
export function drainProblems(docs: K8sDocument[], defaults: DrainDefaults): string[] {
  return deployments(docs).flatMap((doc) => {
    const pod = doc.object.spec?.template?.spec ?? {};
    const config = configOf(docs, doc.object);
    const fallback = defaults(serviceOf(doc.object));
    const delayMs =
      config.SHUTDOWN_DELAY_MS !== undefined ? Number(config.SHUTDOWN_DELAY_MS) : fallback.SHUTDOWN_DELAY_MS;
    const timeoutMs =
      config.SHUTDOWN_TIMEOUT_MS !== undefined ? Number(config.SHUTDOWN_TIMEOUT_MS) : fallback.SHUTDOWN_TIMEOUT_MS;
    const graceSeconds = pod.terminationGracePeriodSeconds ?? 30;
    return (pod.containers ?? []).flatMap((container: K8sObject) => {
      const where = `${nameOf(doc)} container ${container.name}`;
      const problems: string[] = [];
      const preStop = preStopSeconds(container);
      const readiness = container.readinessProbe ?? {};
      const window = (readiness.periodSeconds ?? 10) * (readiness.failureThreshold ?? 3);
      if (preStop < window)
        problems.push(`${where}: preStop sleep ${preStop} s < readiness period x failureThreshold (${window} s)`);
      if (!(delayMs > 0))
        problems.push(`${where}: SHUTDOWN_DELAY_MS must be set (> 0) so external balancers move away`);
      const needed = preStop * 1000 + delayMs + timeoutMs + CLOSE_MARGIN_MS;
      if (!(graceSeconds * 1000 > needed))
        problems.push(
          `${where}: terminationGracePeriodSeconds ${graceSeconds} s must exceed preStop + SHUTDOWN_DELAY_MS + SHUTDOWN_TIMEOUT_MS + 5 s = ${needed / 1000} s`,
        );
      return problems;
    });
  });
}

// ------------------------------------------------------------------------- settings

/** The README's configuration table: variable -> the services (and "tools") that read it. */
export function readmeSettings(readme = readFileSync(join(repoRoot, "README.md"), "utf8")): Map<string, Set<string>> {
  const start = readme.indexOf("<!-- config-table:start");
  const end = readme.indexOf("<!-- config-table:end -->");
  if (start < 0 || end < start) throw new Error("README.md has no config-table markers");
  const settings = new Map<string, Set<string>>();
  for (const row of readme.slice(start, end).split("\n")) {
    const match = /^\|\s*`([A-Z0-9_]+)`\s*\|\s*([^|]+)\|/.exec(row);
    if (match?.[1] && match[2]) settings.set(match[1], new Set(match[2].split(",").map((service) => service.trim())));
  }
  return settings;
}

/** Names used as `service`'s environment that are not its settings in the README table. */
export function unknownNames(names: string[], service: string, settings: Map<string, Set<string>>): string[] {
  return names.filter((name) => !settings.get(name)?.has(service));
}

/**
 * Every key of a ConfigMap or Secret a workload reads (envFrom, env valueFrom) and every
 * env name it sets is a setting of its service in the README table (a Job is "tools").
 */
export function envNameProblems(docs: K8sDocument[], settings: Map<string, Set<string>>): string[] {
  return workloads(docs).flatMap(({ doc, pod }) => {
    const service = doc.object.kind === "Job" ? "tools" : serviceOf(doc.object);
    return (pod.containers ?? []).flatMap((container: K8sObject) => {
      const names: string[] = (container.env ?? []).map((variable: K8sObject) => variable.name);
      for (const source of container.envFrom ?? []) {
        const configMap = source.configMapRef?.name;
        const secret = source.secretRef?.name;
        if (configMap) names.push(...Object.keys(findObject(docs, "ConfigMap", configMap)?.data ?? {}));
        if (secret) {
          const object = findObject(docs, "Secret", secret);
          names.push(...Object.keys({ ...(object?.data ?? {}), ...(object?.stringData ?? {}) }));
        }
      }
      return unknownNames(names, service, settings).map(
        (name) => `${nameOf(doc)}: ${name} is not a setting of ${service} (README configuration table)`,
      );
    });
  });
}

/** Every ConfigMap that is not the supergraph's: only settings of the service it is labelled for. */
export function configMapNameProblems(docs: K8sDocument[], settings: Map<string, Set<string>>): string[] {
  return ofKind(docs, "ConfigMap")
    .filter((doc) => doc.object.metadata?.name !== "gateway-supergraph")
    .flatMap((doc) => {
      const service = doc.object.metadata?.labels?.["app.kubernetes.io/name"];
      return unknownNames(Object.keys(doc.object.data ?? {}), service, settings).map(
        (name) => `${nameOf(doc)}: ${name} is not a setting of ${service} (README configuration table)`,
      );
    });
}

// ------------------------------------------------------------------------- wiring

/** Deployment selectors match their own pods; every Service selects a Deployment's pods, on a port they name. */
export function selectorProblems(docs: K8sDocument[]): string[] {
  const problems: string[] = [];
  for (const doc of deployments(docs))
    if (!selects(doc.object.spec?.selector?.matchLabels, doc.object.spec?.template?.metadata?.labels))
      problems.push(`${nameOf(doc)}: spec.selector does not match its pod template's labels`);
  for (const doc of ofKind(docs, "Service")) {
    const selector = doc.object.spec?.selector;
    const targets = deployments(docs).filter(
      (deployment) =>
        deployment.object.metadata?.namespace === doc.object.metadata?.namespace &&
        selects(selector, deployment.object.spec?.template?.metadata?.labels),
    );
    if (targets.length !== 1) {
      problems.push(`${nameOf(doc)}: selects the pods of ${targets.length} Deployments (want exactly 1)`);
      continue;
    }
    const containers: K8sObject[] = targets[0]?.object.spec?.template?.spec?.containers ?? [];
    const ports = containers.flatMap((container) => container.ports ?? []);
    for (const port of doc.object.spec?.ports ?? [])
      if (!ports.some((p: K8sObject) => p.name === port.targetPort || p.containerPort === port.targetPort))
        problems.push(
          `${nameOf(doc)}: targetPort ${port.targetPort} is no port of ${targets[0]?.object.metadata?.name}`,
        );
  }
  return problems;
}

/** Every PodDisruptionBudget selects the pods of one Deployment; every HPA scales one that has CPU requests. */
export function targetProblems(docs: K8sDocument[]): string[] {
  const problems: string[] = [];
  for (const doc of ofKind(docs, "PodDisruptionBudget")) {
    const targets = deployments(docs).filter((deployment) =>
      selects(doc.object.spec?.selector?.matchLabels, deployment.object.spec?.template?.metadata?.labels),
    );
    if (targets.length !== 1) problems.push(`${nameOf(doc)}: selects the pods of ${targets.length} Deployments`);
  }
  for (const doc of ofKind(docs, "HorizontalPodAutoscaler")) {
    const ref = doc.object.spec?.scaleTargetRef ?? {};
    const target =
      ref.kind === "Deployment" && ref.apiVersion === "apps/v1" ? findObject(docs, "Deployment", ref.name) : undefined;
    if (!target) {
      problems.push(`${nameOf(doc)}: scaleTargetRef ${ref.kind}/${ref.name} is no Deployment here`);
      continue;
    }
    const cpu = (target.spec?.template?.spec?.containers ?? []).every(
      (container: K8sObject) => container.resources?.requests?.cpu,
    );
    if (!cpu) problems.push(`${nameOf(doc)}: ${ref.name}'s containers need CPU requests to scale on utilisation`);
    if ((doc.object.spec?.minReplicas ?? 1) < 2) problems.push(`${nameOf(doc)}: minReplicas must be at least 2`);
  }
  return problems;
}

/** gateway 2 or more, goods 2, inventory 2; surge before removing (maxUnavailable 0). */
export function replicaProblems(docs: K8sDocument[]): string[] {
  const wanted: Record<string, (replicas: number) => boolean> = {
    gateway: (replicas) => replicas >= 2,
    goods: (replicas) => replicas === 2,
    inventory: (replicas) => replicas === 2,
  };
  return Object.entries(wanted).flatMap(([name, ok]) => {
    const deployment = findObject(docs, "Deployment", name);
    if (!deployment) return [`no Deployment ${name}`];
    const problems: string[] = [];
    if (!ok(deployment.spec?.replicas ?? 1)) problems.push(`Deployment ${name}: ${deployment.spec?.replicas} replicas`);
    if (deployment.spec?.strategy?.rollingUpdate?.maxUnavailable !== 0)
      problems.push(`Deployment ${name}: a rollout must not remove a serving replica first (maxUnavailable: 0)`);
    return problems;
  });
}

/**
 * Pod hygiene: service links off (a Service "goods" would inject GOODS_PORT=tcp://…, which
 * the service refuses), no API token, non-root, read-only root, the Prometheus annotations
 * on the service's port and /metrics.
 */
export function podProblems(docs: K8sDocument[]): string[] {
  return workloads(docs).flatMap(({ doc, pod }) => {
    const problems: string[] = [];
    if (pod.enableServiceLinks !== false) problems.push(`${nameOf(doc)}: enableServiceLinks must be false`);
    if (pod.automountServiceAccountToken !== false)
      problems.push(`${nameOf(doc)}: automountServiceAccountToken: false`);
    if (pod.securityContext?.runAsNonRoot !== true) problems.push(`${nameOf(doc)}: runAsNonRoot`);
    for (const container of pod.containers ?? [])
      if (container.securityContext?.readOnlyRootFilesystem !== true)
        problems.push(`${nameOf(doc)}: container ${container.name} needs readOnlyRootFilesystem`);
    if (doc.object.kind === "Deployment") {
      const annotations = doc.object.spec?.template?.metadata?.annotations ?? {};
      const port = (pod.containers?.[0]?.ports ?? []).find((p: K8sObject) => p.name === "http")?.containerPort;
      if (annotations["prometheus.io/scrape"] !== "true") problems.push(`${nameOf(doc)}: prometheus.io/scrape "true"`);
      if (annotations["prometheus.io/port"] !== String(port))
        problems.push(`${nameOf(doc)}: prometheus.io/port must be the service's port ${port}`);
      if (annotations["prometheus.io/path"] !== "/metrics")
        problems.push(`${nameOf(doc)}: prometheus.io/path /metrics`);
    }
    return problems;
  });
}

/** The services' entry points: `node --enable-source-maps` (the image) with `<service dir>/dist/index.js`. */
export const SERVICE_DIRS: Record<string, string> = {
  gateway: "gateway",
  goods: "subgraphs/goods",
  inventory: "subgraphs/inventory",
};

/** One image for the three services, each with its own bundle; the Job runs the tools image of the same tag. */
export function imageProblems(docs: K8sDocument[]): string[] {
  const problems: string[] = [];
  const images = new Set<string>();
  for (const doc of deployments(docs)) {
    const service = serviceOf(doc.object);
    for (const container of doc.object.spec?.template?.spec?.containers ?? []) {
      images.add(container.image);
      const dir = SERVICE_DIRS[service];
      if (!dir) problems.push(`${nameOf(doc)}: ${service} is no service of this repository`);
      else if (JSON.stringify(container.args) !== JSON.stringify([`${dir}/dist/index.js`]) || container.command)
        problems.push(`${nameOf(doc)}: must run the image's entrypoint with args ["${dir}/dist/index.js"]`);
      else if (!existsSync(join(repoRoot, dir, "src", "index.ts")))
        problems.push(`${nameOf(doc)}: ${dir}/src/index.ts does not exist`);
    }
  }
  if (images.size !== 1) problems.push(`the Deployments run ${images.size} images (want one: deploy/Dockerfile)`);
  const [image] = [...images];
  const tag = image?.split(":").at(-1);
  for (const { doc, pod } of workloads(docs).filter(({ doc }) => doc.object.kind === "Job"))
    for (const container of pod.containers ?? [])
      if (container.image !== image?.replace(/:[^:/]+$/, `-tools:${tag}`))
        problems.push(`${nameOf(doc)}: runs ${container.image}, want the tools image of the same release`);
  return problems;
}

// ------------------------------------------------------------------------- the supergraph

export const SUPERGRAPH_FILE = join(repoRoot, "gateway", "supergraph.graphql");
export const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/**
 * The ConfigMap gateway-supergraph holds gateway/supergraph.graphql byte for byte, the
 * gateway's pod template carries its sha256 as checksum/supergraph, and SUPERGRAPH_PATH
 * names the file where that ConfigMap is mounted.
 */
export function supergraphProblems(docs: K8sDocument[], supergraph: string): string[] {
  const problems: string[] = [];
  const checksum = sha256(supergraph);
  const configMap = findObject(docs, "ConfigMap", "gateway-supergraph");
  const gateway = findObject(docs, "Deployment", "gateway");
  const fix = "(fix: npm run deploy:render)";
  if (!configMap) return ["no ConfigMap gateway-supergraph"];
  if (!gateway) return ["no Deployment gateway"];
  if (configMap.data?.["supergraph.graphql"] !== supergraph)
    problems.push(`ConfigMap gateway-supergraph does not hold gateway/supergraph.graphql ${fix}`);
  if (configMap.metadata?.annotations?.["checksum/supergraph"] !== checksum)
    problems.push(`ConfigMap gateway-supergraph's checksum/supergraph is not the file's sha256 ${fix}`);
  if (gateway.spec?.template?.metadata?.annotations?.["checksum/supergraph"] !== checksum)
    problems.push(`the gateway pod template's checksum/supergraph is not sha256 of gateway/supergraph.graphql ${fix}`);
  const path = configOf(docs, gateway).SUPERGRAPH_PATH ?? "";
  const slash = path.lastIndexOf("/");
  const [dir, key] = [path.slice(0, slash), path.slice(slash + 1)];
  const pod = gateway.spec?.template?.spec ?? {};
  const volume = (pod.volumes ?? []).find((v: K8sObject) => v.configMap?.name === "gateway-supergraph");
  const mounted = (pod.containers ?? []).every((container: K8sObject) =>
    (container.volumeMounts ?? []).some((mount: K8sObject) => mount.name === volume?.name && mount.mountPath === dir),
  );
  if (!volume || !mounted || key !== "supergraph.graphql" || volume.configMap?.items)
    problems.push(`SUPERGRAPH_PATH (${path}) is not supergraph.graphql of the mounted ConfigMap gateway-supergraph`);
  return problems;
}

// ------------------------------------------------------------------------- network policies

/**
 * A default deny for the namespace; each subgraph's pods admit only the gateway's pods
 * (no namespace selector, no address block, no empty peer) and only on the subgraph's port.
 */
export function networkPolicyProblems(docs: K8sDocument[]): string[] {
  const problems: string[] = [];
  const policies = ofKind(docs, "NetworkPolicy");
  const denyAll = policies.some(
    (doc) =>
      Object.keys(doc.object.spec?.podSelector ?? { x: 1 }).length === 0 &&
      (doc.object.spec?.policyTypes ?? []).includes("Ingress") &&
      (doc.object.spec?.ingress ?? []).length === 0,
  );
  if (!denyAll) problems.push("no default-deny ingress NetworkPolicy (podSelector: {}, no ingress rules)");
  const gatewayLabels = findObject(docs, "Deployment", "gateway")?.spec?.template?.metadata?.labels;
  for (const name of ["goods", "inventory"]) {
    const deployment = findObject(docs, "Deployment", name);
    const labels = deployment?.spec?.template?.metadata?.labels;
    const port = deployment?.spec?.template?.spec?.containers?.[0]?.ports?.[0]?.containerPort;
    const selecting = policies.filter((doc) => selects(doc.object.spec?.podSelector?.matchLabels, labels));
    if (selecting.length === 0) problems.push(`no NetworkPolicy selects the ${name} pods`);
    for (const doc of selecting)
      for (const rule of doc.object.spec?.ingress ?? []) {
        const peers: K8sObject[] = rule.from ?? [];
        if (peers.length === 0) problems.push(`${nameOf(doc)}: a rule admits every source`);
        for (const peer of peers)
          if (peer.namespaceSelector || peer.ipBlock || !selects(peer.podSelector?.matchLabels, gatewayLabels))
            problems.push(`${nameOf(doc)}: admits ${JSON.stringify(peer)}, not only the gateway's pods`);
        const ports: K8sObject[] = rule.ports ?? [];
        if (ports.length === 0 || ports.some((p) => p.port !== port))
          problems.push(`${nameOf(doc)}: must admit only port ${port}`);
      }
  }
  return problems;
}

// ------------------------------------------------------------------------- HAProxy

export interface HaproxySection {
  kind: string;
  name: string;
  lines: string[];
  /** The default-server line of the defaults section in force, then this section's own. */
  defaultServer: string;
  /** The mode in force. */
  mode: string;
}

/** haproxy.cfg as sections (global, defaults, frontend, backend, listen, resolvers), comments dropped. */
export function parseHaproxy(text: string): HaproxySection[] {
  const sections: HaproxySection[] = [];
  let defaults = { defaultServer: "", mode: "tcp" };
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*$/, "").trimEnd();
    if (line.trim() === "") continue;
    if (!/^\s/.test(line)) {
      const [kind = "", name = ""] = line.trim().split(/\s+/);
      sections.push({ kind, name, lines: [], defaultServer: defaults.defaultServer, mode: defaults.mode });
      continue;
    }
    const section = sections.at(-1);
    if (!section) continue;
    const body = line.trim();
    section.lines.push(body);
    if (body.startsWith("default-server ")) section.defaultServer = `${section.defaultServer} ${body}`;
    if (body.startsWith("mode ")) section.mode = body.split(/\s+/)[1] ?? section.mode;
    if (section.kind === "defaults") defaults = { defaultServer: section.defaultServer, mode: section.mode };
  }
  return sections;
}

const durationMs = (value: string) => {
  const match = /^(\d+)(ms|s|m)?$/.exec(value);
  if (!match) throw new Error(`not an HAProxy duration: ${value}`);
  return Number(match[1]) * (match[2] === "m" ? 60_000 : match[2] === "ms" ? 1 : 1000);
};

/** A server option (`inter 2s`) from the section's default-server lines and its own servers; last one wins. */
function serverOption(section: HaproxySection, option: string): string | undefined {
  const words = [section.defaultServer, ...section.lines.filter((line) => /^server(-template)?\s/.test(line))]
    .join(" ")
    .split(/\s+/);
  let value: string | undefined;
  words.forEach((word, index) => {
    if (word === option) value = words[index + 1];
  });
  return value;
}

/** How long HAProxy takes, at most, to take a failing server out: inter x fall. */
export function detectionMs(section: HaproxySection): number {
  return durationMs(serverOption(section, "inter") ?? "2s") * Number(serverOption(section, "fall") ?? "3");
}

/** `host:port` of each server / server-template line of a section. */
export function serverTargets(section: HaproxySection): string[] {
  return section.lines.flatMap((line) => {
    const words = line.split(/\s+/);
    if (words[0] === "server") return words[2] ? [words[2]] : [];
    if (words[0] === "server-template") return words[3] ? [words[3]] : [];
    return [];
  });
}

export const checkUri = (section: HaproxySection) =>
  /http-check send meth GET uri (\S+)/.exec(section.lines.join("\n"))?.[1];

/** The backend (or listen section) that receives what arrives on `port`. */
export function routeOf(sections: HaproxySection[], port: number): HaproxySection | undefined {
  const binds = (section: HaproxySection) => section.lines.some((line) => line === `bind :${port}`);
  const entry = sections.find(
    (section) => (section.kind === "frontend" || section.kind === "listen") && binds(section),
  );
  if (!entry || entry.kind === "listen") return entry;
  const backend = /^default_backend (\S+)$/m.exec(entry.lines.join("\n"))?.[1];
  return sections.find((section) => section.kind === "backend" && section.name === backend);
}

// ------------------------------------------------------------------------- PgBouncer

export interface PgBouncerIni {
  databases: Record<string, Record<string, string>>;
  settings: Record<string, string>;
}

export function parsePgBouncer(text: string): PgBouncerIni {
  const ini: PgBouncerIni = { databases: {}, settings: {} };
  let section = "";
  for (const raw of text.split("\n")) {
    const line = raw.replace(/^\s*[;#].*$/, "").trim();
    if (line === "") continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header?.[1]) {
      section = header[1];
      continue;
    }
    const eq = line.indexOf("=");
    if (eq < 0) throw new Error(`not a pgbouncer.ini line: ${line}`);
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (section === "databases")
      ini.databases[key] = Object.fromEntries(
        value
          .split(/\s+/)
          .filter(Boolean)
          .map((pair) => pair.split("=", 2) as [string, string]),
      );
    else if (section === "pgbouncer") ini.settings[key] = value;
    else throw new Error(`pgbouncer.ini: ${key} outside [databases] and [pgbouncer]`);
  }
  return ini;
}

// ------------------------------------------------------------------------- compose

/**
 * Compose's interpolation, for checking values: `${VAR:?message}` and `${VAR?message}` take
 * `sample(VAR)` (a required variable the operator sets), `${VAR:-default}` its default, `$$` a `$`.
 */
export function interpolate(value: string, sample: (variable: string) => string): string {
  return value
    .replace(/\$\{([A-Z0-9_]+)(:?[?-])([^}]*)\}/g, (_match, variable: string, operator: string, rest: string) =>
      operator.endsWith("-") ? rest : sample(variable),
    )
    .replace(/\$\$/g, "$");
}

/** Relative paths of a file under the repository, for messages. */
export const fromRoot = (path: string) => relative(repoRoot, path);
