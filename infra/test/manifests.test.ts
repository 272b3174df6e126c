import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { baseConfigSpec, nodeFlagsOf, topicNames } from '@hookstream/service-kit';
import { repoRoot } from '@hookstream/test-kit';
import { APPS, appSettings, consumerGroupOf, readsVariable, type AppName } from './support/app-config.js';
import { validateManifest } from './support/k8s-models.js';
import { loadKustomization, loadManifests, manifestFiles, type Manifest } from './support/manifests.js';

// Minimal typings of the fields the semantic checks read; the schema check covers the rest.
interface Probe {
  httpGet?: { path?: string; port?: number | string };
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string; key: string } };
}
interface Container {
  name: string;
  image: string;
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command?: string[] } } };
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean; runAsNonRoot?: boolean; capabilities?: { drop?: string[] } };
}
interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: {
    serviceAccountName?: string;
    terminationGracePeriodSeconds?: number;
    securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type: string } };
    containers: Container[];
  };
}
type Workload = Manifest & { spec: { selector: { matchLabels: Record<string, string> }; template: PodTemplate } };
type Job = Manifest & { spec: { template: PodTemplate } };
type CronJob = Manifest & { spec: { schedule: string; concurrencyPolicy?: string; jobTemplate: { spec: { template: PodTemplate } } } };
type Pdb = Manifest & { spec: { selector: { matchLabels: Record<string, string> }; minAvailable?: number | string; maxUnavailable?: number | string } };
type Hpa = Manifest & {
  spec: {
    scaleTargetRef: { apiVersion: string; kind: string; name: string };
    minReplicas?: number;
    maxReplicas: number;
    metrics?: { type: string; resource?: { name: string } }[];
  };
};
type ScaledObject = Manifest & {
  spec: {
    scaleTargetRef: { apiVersion?: string; kind?: string; name: string };
    minReplicaCount?: number;
    maxReplicaCount?: number;
    triggers: { type: string; metadata: Record<string, string> }[];
  };
};
type Service = Manifest & { spec: { selector: Record<string, string>; ports: { port: number; targetPort?: number | string }[] } };

const docs = loadManifests();
const objects = docs.map((d) => d.object);
const ofKind = <T extends Manifest>(kind: string) => objects.filter((o) => o.kind === kind) as T[];
const named = <T extends Manifest>(kind: string, name: string): T => {
  const found = ofKind<T>(kind).find((o) => o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} named ${name} in infra/k8s`);
  return found;
};

const configMap = named<Manifest & { data: Record<string, string> }>('ConfigMap', 'hookstream-config').data;
const secret = named<Manifest & { stringData?: Record<string, string>; data?: Record<string, string> }>('Secret', 'hookstream-secrets');
const secretKeys = new Set([...Object.keys(secret.stringData ?? {}), ...Object.keys(secret.data ?? {})]);
const settings = Object.fromEntries(APPS.map((a) => [a, appSettings(a)])) as Record<AppName, ReturnType<typeof appSettings>>;
/** DATABASE_URL comes from the Secret CloudNativePG writes for the Cluster of postgres.yaml: `<cluster>-app`, key `uri`. */
const pgCluster = named<Manifest>('Cluster', 'hookstream-pg');
const databaseUrlRef = { name: `${pgCluster.metadata.name}-app`, key: 'uri' };
/** Where each secret variable is read from. */
const secretRef = (variable: string) => (variable === 'DATABASE_URL' ? databaseUrlRef : { name: 'hookstream-secrets', key: variable });

function labelsMatch(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function containerPort(c: Container, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return port;
  return c.ports?.find((p) => p.name === port)?.containerPort;
}

function cpuMillis(q: string): number {
  return q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000;
}

function bytes(q: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|K|M|G)?$/.exec(q);
  if (!m) throw new Error(`unreadable quantity ${q}`);
  const unit = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, K: 1e3, M: 1e6, G: 1e9 }[m[2] ?? ''] ?? 1;
  return Number(m[1]) * unit;
}

/** The value the app would read for a variable: explicit env, else the ConfigMap, else its default. */
function effective(c: Container, name: string): string | undefined {
  const explicit = c.env?.find((e) => e.name === name);
  if (explicit) return explicit.value;
  return c.envFrom?.some((f) => f.configMapRef?.name === 'hookstream-config') ? configMap[name] : undefined;
}

describe('Kubernetes manifests: schema', () => {
  it('are all listed in the kustomization, in namespace hookstream', () => {
    const k = loadKustomization();
    expect(k.namespace).toBe('hookstream');
    expect([...(k.resources ?? [])].sort()).toEqual(manifestFiles());
    for (const o of objects) {
      if (o.kind !== 'Namespace') expect(`${o.kind}/${o.metadata.name} ${o.metadata.namespace}`).toBe(`${o.kind}/${o.metadata.name} hookstream`);
    }
  });

  it.each(docs.map((d) => [`${d.file}#${d.index + 1} ${d.object.kind}/${d.object.metadata?.name}`, d.object] as const))(
    '%s is valid against its Kubernetes / KEDA schema',
    (_label, object) => {
      expect(() => validateManifest(object)).not.toThrow();
    },
  );

  it('rejects what the schemas forbid and kinds without a model', () => {
    const gateway = structuredClone(named<Workload>('Deployment', 'gateway'));
    (gateway.spec as Record<string, unknown>).replicas = 'two';
    expect(() => validateManifest(gateway)).toThrow(/replicas/);
    const scaled = structuredClone(named<ScaledObject>('ScaledObject', 'matcher'));
    delete (scaled.spec as Partial<ScaledObject['spec']>).scaleTargetRef;
    expect(() => validateManifest(scaled)).toThrow(/scaleTargetRef/);
    expect(() => validateManifest({ apiVersion: 'v1', kind: 'Pod-ish', metadata: { name: 'x' } })).toThrow(/no schema model for v1 Pod-ish/);
  });
});

describe.each(APPS)('Kubernetes manifests: %s', (app) => {
  const deployment = named<Workload>('Deployment', app);
  const pod = deployment.spec.template;
  const container = pod.spec.containers.find((c) => c.name === app)!;
  const own = settings[app];

  it('runs the image of its Dockerfile target, with a ServiceAccount of its own', () => {
    expect(container.image).toBe(`hookstream/${app}:0.1.0`);
    expect(labelsMatch(deployment.spec.selector.matchLabels, pod.metadata.labels)).toBe(true);
    const sa = named<Manifest>('ServiceAccount', pod.spec.serviceAccountName ?? 'default');
    expect(sa.metadata.name).toBe(`hookstream-${app}`);
  });

  it('probes /healthz (liveness) and /readyz (readiness) on the port the app serves them on', () => {
    const { variable, port } = own.opsPort;
    expect(effective(container, variable)).toBe(String(port));
    expect(container.livenessProbe?.httpGet?.path).toBe('/healthz');
    expect(containerPort(container, container.livenessProbe?.httpGet?.port)).toBe(port);
    expect(container.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(containerPort(container, container.readinessProbe?.httpGet?.port)).toBe(port);
    if (container.startupProbe) expect(containerPort(container, container.startupProbe.httpGet?.port)).toBe(port);
    expect(pod.metadata as { annotations?: Record<string, string> }).toMatchObject({
      annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(port), 'prometheus.io/path': '/metrics' },
    });
  });

  it('requests and limits CPU and memory, with V8 heap below the memory limit', () => {
    const { requests, limits } = container.resources ?? {};
    for (const r of ['cpu', 'memory']) {
      expect(requests?.[r]).toBeDefined();
      expect(limits?.[r]).toBeDefined();
    }
    expect(cpuMillis(requests!.cpu!)).toBeLessThanOrEqual(cpuMillis(limits!.cpu!));
    expect(bytes(requests!.memory!)).toBeLessThanOrEqual(bytes(limits!.memory!));
    const heap = /--max-old-space-size=(\d+)/.exec(effective(container, 'NODE_OPTIONS') ?? '');
    if (heap) expect(Number(heap[1]) * 2 ** 20).toBeLessThan(bytes(limits!.memory!));
  });

  it("keeps the apps' own Node flags when it sets NODE_OPTIONS (which replaces the image's)", () => {
    const options = effective(container, 'NODE_OPTIONS');
    if (options === undefined) return;
    for (const flag of nodeFlagsOf(app)) expect(options.split(/\s+/)).toContain(flag);
  });

  it('runs as non-root with a read-only root filesystem and no privilege escalation', () => {
    expect(pod.spec.securityContext?.runAsNonRoot).toBe(true);
    expect(pod.spec.securityContext?.runAsUser).toBeGreaterThan(0);
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  });

  it('gives the graceful shutdown (and any preStop pause) time before SIGKILL', () => {
    const shutdownMs = baseConfigSpec.SHUTDOWN_TIMEOUT_MS.parse(effective(container, 'SHUTDOWN_TIMEOUT_MS'));
    const preStop = container.lifecycle?.preStop?.exec?.command;
    const pauseMs = preStop?.[0] === 'sleep' ? Number(preStop[1]) * 1000 : 0;
    expect((pod.spec.terminationGracePeriodSeconds ?? 30) * 1000).toBeGreaterThan(shutdownMs + pauseMs);
  });

  it('reads its settings from hookstream-config, the database URL from the CloudNativePG app secret and every other secret from hookstream-secrets', () => {
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'hookstream-config' } }]);
    for (const e of container.env ?? []) {
      expect(`${e.name} read by ${app}: ${readsVariable(own, e.name)}`).toBe(`${e.name} read by ${app}: true`);
      if (own.secrets.has(e.name)) expect(e.valueFrom?.secretKeyRef).toEqual(secretRef(e.name));
      if (e.valueFrom?.secretKeyRef?.name === 'hookstream-secrets') expect(secretKeys.has(e.valueFrom.secretKeyRef.key)).toBe(true);
    }
    const fromSecret = new Set((container.env ?? []).filter((e) => e.valueFrom?.secretKeyRef).map((e) => e.name));
    expect([...own.secrets].filter((s) => !fromSecret.has(s))).toEqual([]);
  });

  it("every setting it ends up with passes the app's own validation", () => {
    for (const [name, reader] of Object.entries(own.readers)) {
      if (own.secrets.has(name)) continue; // placeholders in the repository, real values in the cluster
      const value = effective(container, name);
      expect(() => reader.parse(value)).not.toThrow();
    }
  });

  it('has a PodDisruptionBudget that selects exactly its pods', () => {
    const pdbs = ofKind<Pdb>('PodDisruptionBudget').filter((p) => labelsMatch(p.spec.selector.matchLabels, pod.metadata.labels));
    expect(pdbs.map((p) => p.metadata.name)).toEqual([app]);
    const other = APPS.filter((a) => a !== app).map((a) => named<Workload>('Deployment', a).spec.template.metadata.labels);
    for (const labels of other) expect(labelsMatch(pdbs[0]!.spec.selector.matchLabels, labels)).toBe(false);
    expect(pdbs[0]!.spec.minAvailable ?? pdbs[0]!.spec.maxUnavailable).toBeDefined();
  });

  it('has a Service exposing its operations port', () => {
    const services = ofKind<Service>('Service').filter((s) => labelsMatch(s.spec.selector, pod.metadata.labels));
    expect(services.length).toBeGreaterThan(0);
    const ports = services.flatMap((s) => s.spec.ports.map((p) => containerPort(container, p.targetPort ?? p.port)));
    expect(ports).toContain(own.opsPort.port);
  });

  it('#16.12: exposes its operations port through no Service with a cluster IP (no load-balanced, outside-facing path to /metrics)', () => {
    const services = ofKind<Service & { spec: { clusterIP?: string } }>('Service').filter((s) => labelsMatch(s.spec.selector, pod.metadata.labels));
    const balanced = services.filter((s) => s.spec.clusterIP !== 'None');
    const opsExposed = balanced.filter((s) => s.spec.ports.some((p) => containerPort(container, p.targetPort ?? p.port) === own.opsPort.port));
    expect(opsExposed.map((s) => s.metadata.name)).toEqual([]);
    if (app === 'gateway') expect(own.opsPort).toEqual({ variable: 'OPS_PORT', port: 9464 });
  });
});

describe('Kubernetes manifests: scaling', () => {
  it('scales the gateway on CPU with an autoscaling/v2 HPA, never below two pods', () => {
    const hpas = ofKind<Hpa>('HorizontalPodAutoscaler');
    expect(hpas).toHaveLength(1);
    const hpa = hpas[0]!;
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'gateway' });
    expect(hpa.spec.metrics?.map((m) => `${m.type}:${m.resource?.name}`)).toEqual(['Resource:cpu']);
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec.maxReplicas).toBeGreaterThanOrEqual(hpa.spec.minReplicas!);
    expect((named<Workload>('Deployment', 'gateway').spec as { replicas?: number }).replicas).toBeUndefined();
  });

  it.each([
    ['matcher', 'events', 'TOPIC_PARTITIONS_EVENTS'],
    ['delivery-worker', 'deliveries', 'TOPIC_PARTITIONS_DELIVERIES'],
  ] as const)('scales %s on its consumer lag on %s, at most one replica per partition', (app, topic, partitionsVariable) => {
    const scaled = ofKind<ScaledObject>('ScaledObject').filter((s) => s.spec.scaleTargetRef.name === app);
    expect(scaled).toHaveLength(1);
    const { spec } = scaled[0]!;
    expect(spec.scaleTargetRef.kind ?? 'Deployment').toBe('Deployment');
    const [trigger, ...more] = spec.triggers;
    expect(more).toEqual([]);
    expect(trigger!.type).toBe('kafka');
    const m = trigger!.metadata;
    expect(m.consumerGroup).toBe(consumerGroupOf(app, configMap));
    expect(m.topic).toBe(topicNames(baseConfigSpec.KAFKA_TOPIC_PREFIX.parse(configMap.KAFKA_TOPIC_PREFIX))[topic]);
    expect(Number(m.lagThreshold)).toBeGreaterThan(0);
    // The brokers come from the same configuration the app reads.
    if (m.bootstrapServersFromEnv) expect(m.bootstrapServersFromEnv).toBe('KAFKA_BROKERS');
    else expect(m.bootstrapServers).toBe(configMap.KAFKA_BROKERS);
    expect(configMap.KAFKA_BROKERS).toBeDefined();
    expect(m.allowIdleConsumers ?? 'false').toBe('false');
    const partitions = baseConfigSpec[partitionsVariable].parse(configMap[partitionsVariable]);
    expect(spec.maxReplicaCount).toBeDefined();
    expect(spec.maxReplicaCount!).toBeLessThanOrEqual(partitions);
    expect(spec.minReplicaCount ?? 0).toBeLessThanOrEqual(spec.maxReplicaCount!);
    expect((named<Workload>('Deployment', app).spec as { replicas?: number }).replicas).toBeUndefined();
  });
});

describe('Kubernetes manifests: configuration', () => {
  it('hookstream-config holds only variables some app reads, none of them secret', () => {
    const unread = Object.keys(configMap).filter((k) => !APPS.some((a) => readsVariable(settings[a], k)));
    expect(unread).toEqual([]);
    const secretsInConfig = Object.keys(configMap).filter((k) => APPS.some((a) => settings[a].secrets.has(k)));
    expect(secretsInConfig).toEqual([]);
  });

  it('hookstream-secrets carries exactly the secret variables of the apps (and the migration) but the database URL', () => {
    const secrets = new Set(APPS.flatMap((a) => [...settings[a].secrets]));
    expect([...secrets].sort()).toEqual(['DATABASE_URL', 'HOOKSTREAM_ADMIN_TOKEN', 'HOOKSTREAM_PORTAL_KEY', 'HOOKSTREAM_SECRET_KEYS', 'KAFKA_SASL_PASSWORD']);
    expect([...secretKeys].sort()).toEqual([...secrets].filter((s) => s !== 'DATABASE_URL').sort());
  });

  it("runs every container from an image built by a target of the repository's Dockerfile", () => {
    const targets = new Set([...readFileSync(path.join(repoRoot(), 'Dockerfile'), 'utf8').matchAll(/^FROM \S+ AS ([\w-]+)$/gim)].map((m) => m[1]!));
    const pods = [
      ...ofKind<Workload>('Deployment').map((d) => d.spec.template),
      ...ofKind<Job>('Job').map((j) => j.spec.template),
      ...ofKind<CronJob>('CronJob').map((c) => c.spec.jobTemplate.spec.template),
    ];
    expect(pods.length).toBeGreaterThanOrEqual(5);
    for (const c of pods.flatMap((p) => p.spec.containers)) {
      const m = /^hookstream\/([\w-]+):0\.1\.0$/.exec(c.image);
      expect(`${c.image}: ${m !== null && targets.has(m[1]!)}`).toBe(`${c.image}: true`);
    }
  });

  it('meets the restricted Pod Security profile the namespace enforces, in every pod', () => {
    expect(named<Manifest>('Namespace', 'hookstream').metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const pods = [
      ...ofKind<Workload>('Deployment').map((d) => [d.metadata.name, d.spec.template] as const),
      ...ofKind<Job>('Job').map((j) => [j.metadata.name, j.spec.template] as const),
      ...ofKind<CronJob>('CronJob').map((c) => [c.metadata.name, c.spec.jobTemplate.spec.template] as const),
    ];
    for (const [name, pod] of pods) {
      expect([name, pod.spec.securityContext]).toEqual([name, expect.objectContaining({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } })]);
      for (const c of pod.spec.containers) {
        expect([name, c.securityContext]).toEqual([
          name,
          expect.objectContaining({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } }),
        ]);
      }
    }
  });

  it('prunes expired audit rows hourly with the operator CLI, one run at a time', () => {
    const cron = named<CronJob>('CronJob', 'hookstream-prune');
    expect(cron.spec.concurrencyPolicy).toBe('Forbid');
    const [c] = cron.spec.jobTemplate.spec.template.spec.containers;
    const [node, script, command, ...args] = (c as Container & { command: string[] }).command;
    expect(node).toBe('node');
    expect(existsSync(path.join(repoRoot(), script!))).toBe(true);
    expect(command).toBe('prune');
    expect(args).toEqual(['--older-than', '30d']);
    expect(c!.env).toContainEqual({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: databaseUrlRef } });
    // The CLI reads the base settings only: the shared ConfigMap must pass their validation.
    for (const [name, reader] of Object.entries(baseConfigSpec)) if (!reader.secret) expect(() => reader.parse(configMap[name])).not.toThrow();
    expect(c!.securityContext?.readOnlyRootFilesystem).toBe(true);
  });

  it('migrates with the migrate image and the database URL from the CloudNativePG app secret', () => {
    const jobs = ofKind<Job>('Job');
    expect(jobs).toHaveLength(1);
    const [c, ...more] = jobs[0]!.spec.template.spec.containers;
    expect(more).toEqual([]);
    expect(c!.image).toBe('hookstream/migrate:0.1.0');
    expect(c!.env).toContainEqual({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: databaseUrlRef } });
    expect(c!.resources?.limits?.memory).toBeDefined();
    expect(c!.securityContext?.readOnlyRootFilesystem).toBe(true);
  });
});
