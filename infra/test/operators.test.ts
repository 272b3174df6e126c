import path from 'node:path';
import { baseConfigSpec, readConfig, replicationFor, topicSpecs } from '@hookstream/service-kit';
import { validateManifest } from './support/k8s-models.js';
import { k8sDir, loadKustomization, loadManifests, manifestFiles, type Manifest } from './support/manifests.js';

// Issue 21, Deliver 5: the production shape. Strimzi's Kafka (three KRaft nodes) with a KafkaTopic
// per topic of the catalogue in infra/k8s/kafka, CloudNativePG's Cluster in infra/k8s, and the
// apps pointed at both.

type Kafka = Manifest & {
  spec: {
    kafka: { version?: string; listeners: { name: string; port: number; type: string; tls: boolean }[]; config?: Record<string, unknown> };
    entityOperator?: { topicOperator?: object };
  };
};
type NodePool = Manifest & { spec: { replicas: number; roles: string[]; storage: { type: string; volumes?: { kraftMetadata?: string }[] } } };
type KafkaTopic = Manifest & { spec: { topicName?: string; partitions?: number; replicas?: number; config?: Record<string, unknown> } };
type PgCluster = Manifest & { spec: { instances: number; bootstrap?: { initdb?: { database?: string; owner?: string } } } };

const kafkaDir = path.join(k8sDir, 'kafka');
const kafkaDocs = loadManifests(kafkaDir);
const kafkaObjects = kafkaDocs.map((d) => d.object);
const appObjects = loadManifests().map((d) => d.object);
const only = <T extends Manifest>(objects: Manifest[], kind: string): T => {
  const found = objects.filter((o) => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0] as T;
};
const configMap = (appObjects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'hookstream-config') as Manifest & { data: Record<string, string> })
  .data;
/** The apps' configuration as infra/k8s sets it: the catalogue is computed from it. */
const appConfig = readConfig(baseConfigSpec, configMap);

describe('Strimzi Kafka cluster (infra/k8s/kafka)', () => {
  const kafka = only<Kafka>(kafkaObjects, 'Kafka');
  const pools = kafkaObjects.filter((o) => o.kind === 'KafkaNodePool') as NodePool[];
  const topics = kafkaObjects.filter((o) => o.kind === 'KafkaTopic') as KafkaTopic[];

  it('lists every file in its kustomization, everything in namespace kafka', () => {
    const k = loadKustomization(kafkaDir);
    expect(k.namespace).toBe('kafka');
    expect([...(k.resources ?? [])].sort()).toEqual(manifestFiles(kafkaDir));
    for (const o of kafkaObjects) expect(`${o.kind}/${o.metadata.name} ${o.metadata.namespace}`).toBe(`${o.kind}/${o.metadata.name} kafka`);
  });

  it.each(kafkaDocs.map((d) => [`${d.file}#${d.index + 1} ${d.object.kind}/${d.object.metadata.name}`, d.object] as const))(
    '%s is a kafka.strimzi.io/v1beta2 resource valid against the Strimzi 0.45.1 schema',
    (_label, object) => {
      expect(object.apiVersion).toBe('kafka.strimzi.io/v1beta2');
      expect(() => validateManifest(object)).not.toThrow();
    },
  );

  it('the schema check refuses what the operator would refuse', () => {
    const pool = structuredClone(pools[0]!);
    delete (pool.spec as Partial<NodePool['spec']>).roles;
    expect(() => validateManifest(pool)).toThrow(/roles/);
    const noSize = structuredClone(pools[0]!) as NodePool & { spec: { storage: { volumes: Record<string, unknown>[] } } };
    delete noSize.spec.storage.volumes[0]!.size;
    expect(() => validateManifest(noSize)).toThrow(/size/);
    const listener = structuredClone(kafka);
    delete (listener.spec.kafka.listeners[0] as Partial<Kafka['spec']['kafka']['listeners'][0]>).tls;
    expect(() => validateManifest(listener)).toThrow(/tls/);
    const typo = structuredClone(topics[0]!) as KafkaTopic & { spec: Record<string, unknown> };
    typo.spec.partition = 6;
    expect(() => validateManifest(typo)).toThrow(/partition/);
  });

  it('runs three KRaft nodes (controller and broker) of Apache Kafka 3.9.x from node pools', () => {
    expect(kafka.metadata.annotations).toMatchObject({ 'strimzi.io/node-pools': 'enabled', 'strimzi.io/kraft': 'enabled' });
    expect(kafka.spec.kafka.version).toMatch(/^3\.9\.\d+$/);
    for (const p of pools) expect(p.metadata.labels?.['strimzi.io/cluster']).toBe(kafka.metadata.name);
    const count = (role: string) => pools.filter((p) => p.spec.roles.includes(role)).reduce((n, p) => n + p.spec.replicas, 0);
    expect(count('broker')).toBe(3);
    expect(count('controller')).toBe(3);
    for (const p of pools) expect(p.spec.storage.type === 'persistent-claim' || p.spec.storage.type === 'jbod').toBe(true);
  });

  it('replicates three ways and acknowledges only what two brokers hold', () => {
    expect(kafka.spec.kafka.config).toMatchObject({
      'default.replication.factor': 3,
      'min.insync.replicas': 2,
      'offsets.topic.replication.factor': 3,
      'transaction.state.log.replication.factor': 3,
      'unclean.leader.election.enable': false,
      'auto.create.topics.enable': false,
    });
    expect(kafka.spec.entityOperator?.topicOperator).toBeDefined();
  });

  it("is what the apps' KAFKA_BROKERS names: its bootstrap Service, on a plaintext listener's port", () => {
    const [host, port] = configMap.KAFKA_BROKERS!.split(',')[0]!.split(':') as [string, string];
    expect(host).toBe(`${kafka.metadata.name}-kafka-bootstrap.${kafka.metadata.namespace}.svc.cluster.local`);
    const listener = kafka.spec.kafka.listeners.find((l) => l.port === Number(port));
    expect(listener).toMatchObject({ type: 'internal', tls: appConfig.KAFKA_SSL });
  });

  it('has a KafkaTopic for every topic of the catalogue, with its partitions, replication 3, min.insync.replicas 2 and retention', () => {
    // What the apps would create on this cluster themselves (ensureTopics: replicationFor the broker count).
    const brokers = pools.filter((p) => p.spec.roles.includes('broker')).reduce((n, p) => n + p.spec.replicas, 0);
    const replication = replicationFor(brokers, appConfig.TOPIC_REPLICATION_FACTOR);
    expect(replication).toEqual({ replicationFactor: 3, minInsyncReplicas: 2 });
    const catalogue = topicSpecs(appConfig);
    const byName = new Map(topics.map((t) => [t.spec.topicName ?? t.metadata.name, t]));
    expect([...byName.keys()].sort()).toEqual(catalogue.map((s) => s.topic).sort());
    for (const spec of catalogue) {
      const t = byName.get(spec.topic)!;
      expect(t.metadata.labels?.['strimzi.io/cluster']).toBe(kafka.metadata.name);
      const config = Object.fromEntries(Object.entries(t.spec.config ?? {}).map(([k, v]) => [k, String(v)]));
      const expected = Object.fromEntries((spec.configEntries ?? []).map((e) => [e.name, e.value]));
      expect({ topic: spec.topic, partitions: t.spec.partitions, replicas: t.spec.replicas, config }).toEqual({
        topic: spec.topic,
        partitions: spec.numPartitions,
        replicas: replication.replicationFactor,
        config: { 'min.insync.replicas': String(replication.minInsyncReplicas), ...expected },
      });
    }
  });
});

describe('CloudNativePG Cluster (infra/k8s/postgres.yaml)', () => {
  const cluster = only<PgCluster>(appObjects, 'Cluster');

  it('is a postgresql.cnpg.io/v1 Cluster of three instances, valid against the CloudNativePG 1.25.1 schema', () => {
    expect(cluster.apiVersion).toBe('postgresql.cnpg.io/v1');
    expect(() => validateManifest(cluster)).not.toThrow();
    expect(cluster.spec.instances).toBe(3);
    const broken = structuredClone(cluster) as PgCluster & { spec: { storage?: unknown } };
    delete broken.spec.storage;
    expect(() => validateManifest(broken)).toThrow(/storage/);
    const ownerless = structuredClone(cluster);
    delete ownerless.spec.bootstrap!.initdb!.owner;
    expect(() => validateManifest(ownerless)).toThrow(/owner/);
  });

  it('creates the database the apps use, whose owner is the user of the app secret they read', () => {
    const { database, owner } = cluster.spec.bootstrap?.initdb ?? {};
    expect(database).toBe('hookstream');
    expect(owner).toBe('hookstream');
    const workloads = appObjects.filter((o) => ['Deployment', 'Job', 'CronJob'].includes(o.kind));
    const refs = workloads.flatMap((o) => {
      const text = JSON.stringify(o);
      return [...text.matchAll(/"name":"DATABASE_URL","valueFrom":\{"secretKeyRef":(\{[^}]*\})/g)].map(
        (m) => JSON.parse(m[1]!) as { name: string; key: string },
      );
    });
    // gateway, matcher, worker, the migration and the retention job.
    expect(refs).toHaveLength(5);
    for (const ref of refs) expect(ref).toEqual({ name: `${cluster.metadata.name}-app`, key: 'uri' });
  });
});
