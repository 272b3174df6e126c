import { cidrContainsCidr, cidrContainsIp, cidrsOverlap } from './support/cidr.js';
import { loadManifests, type Manifest } from './support/manifests.js';

// #16.11: the NetworkPolicies of infra/k8s, evaluated the way Kubernetes does (policies of a
// type add up; a pod selected by none of a type is open for it).

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}
interface Peer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}
interface PortRule {
  port?: number | string;
  protocol?: string;
}
interface Rule {
  from?: Peer[];
  to?: Peer[];
  ports?: PortRule[];
}
type Policy = Manifest & { spec: { podSelector: LabelSelector; policyTypes?: string[]; ingress?: Rule[]; egress?: Rule[] } };
interface PodSpec {
  metadata: { labels: Record<string, string> };
  spec: { containers: { ports?: { name?: string; containerPort: number }[] }[] };
}

const objects = loadManifests().map((d) => d.object);
const policies = objects.filter((o) => o.kind === 'NetworkPolicy') as Policy[];
const pods: Record<string, PodSpec> = Object.fromEntries(
  objects.flatMap((o) => {
    const spec = o.spec as Record<string, any>;
    if (o.kind === 'Deployment' || o.kind === 'Job') return [[o.metadata.name, spec.template as PodSpec]];
    if (o.kind === 'CronJob') return [[o.metadata.name, spec.jobTemplate.spec.template as PodSpec]];
    return [];
  }),
);
const appPods = ['gateway', 'matcher', 'delivery-worker', 'hookstream-migrate-0-1-0', 'hookstream-prune'];
const configMap = (objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'hookstream-config') as Manifest & { data: Record<string, string> }).data;
/** The CloudNativePG Cluster of postgres.yaml: its pods carry the inherited labels and `cnpg.io/cluster`. */
const pgCluster = objects.find((o) => o.apiVersion === 'postgresql.cnpg.io/v1' && o.kind === 'Cluster') as Manifest & {
  spec: { inheritedMetadata?: { labels?: Record<string, string> } };
};
const pgPodLabels: Record<string, string> = { ...pgCluster.spec.inheritedMetadata?.labels, 'cnpg.io/cluster': pgCluster.metadata.name };

function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every((e) => {
    const has = e.key in labels;
    if (e.operator === 'In') return has && e.values!.includes(labels[e.key]!);
    if (e.operator === 'NotIn') return !has || !e.values!.includes(labels[e.key]!);
    return e.operator === 'Exists' ? has : !has;
  });
  return byLabels && byExpressions;
}

function podPorts(pod: PodSpec): Map<string, number> {
  return new Map(pod.spec.containers.flatMap((c) => (c.ports ?? []).flatMap((p) => (p.name ? [[p.name, p.containerPort] as const] : []))));
}

function portMatches(rule: Rule, port: number, protocol: string, named: Map<string, number>): boolean {
  if (!rule.ports?.length) return true;
  return rule.ports.some((p) => (p.protocol ?? 'TCP') === protocol && (p.port === undefined || p.port === port || named.get(String(p.port)) === port));
}

function policiesOf(type: 'Ingress' | 'Egress', labels: Record<string, string>): Policy[] {
  return policies.filter((p) => selects(p.spec.podSelector, labels) && (p.spec.policyTypes ?? ['Ingress']).includes(type));
}

/** Where a connection comes from or goes to. */
type Party = { ip: string } | { namespace: string; labels: Record<string, string> };

function peerMatches(peer: Peer, party: Party): boolean {
  if ('ip' in party) {
    if (!peer.ipBlock) return false;
    return cidrContainsIp(peer.ipBlock.cidr, party.ip) && !(peer.ipBlock.except ?? []).some((e) => cidrContainsIp(e, party.ip));
  }
  if (peer.ipBlock) return false;
  // Without a namespaceSelector a peer means the policy's own namespace.
  const nsOk = peer.namespaceSelector ? selects(peer.namespaceSelector, { 'kubernetes.io/metadata.name': party.namespace }) : party.namespace === 'hookstream';
  return nsOk && selects(peer.podSelector, party.labels);
}

function ingressAllowed(podName: string, from: Party, port: number, protocol = 'TCP'): boolean {
  const pod = pods[podName]!;
  const applying = policiesOf('Ingress', pod.metadata.labels);
  if (applying.length === 0) return true;
  return applying.some((p) =>
    (p.spec.ingress ?? []).some((r) => portMatches(r, port, protocol, podPorts(pod)) && (!r.from?.length || r.from.some((peer) => peerMatches(peer, from)))),
  );
}

function egressAllowed(podName: string, to: Party, port: number, protocol = 'TCP'): boolean {
  const labels = pods[podName]!.metadata.labels;
  const applying = policiesOf('Egress', labels);
  if (applying.length === 0) return true;
  return applying.some((p) =>
    (p.spec.egress ?? []).some((r) => portMatches(r, port, protocol, new Map()) && (!r.to?.length || r.to.some((peer) => peerMatches(peer, to)))),
  );
}

const outsider: Party = { ip: '203.0.113.7' };
const otherNamespace: Party = { namespace: 'default', labels: { app: 'anything' } };
const monitoring: Party = { namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' } };
const kubeDns: Party = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };

/** The private, shared, loopback, link-local (metadata) and unique-local ranges the worker must not reach. */
const FORBIDDEN_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', '127.0.0.0/8', 'fd00::/8', 'fe80::/10'];

describe('Kubernetes NetworkPolicies: ingress', () => {
  it('denies ingress by default to every pod of the namespace', () => {
    const deny = policies.filter((p) => Object.keys(p.spec.podSelector).length === 0 && p.spec.policyTypes?.includes('Ingress') && !p.spec.ingress?.length);
    expect(deny.map((p) => p.metadata.name)).toEqual(['default-deny-ingress']);
    for (const name of appPods) expect(policiesOf('Ingress', pods[name]!.metadata.labels).length).toBeGreaterThan(0);
  });

  it('lets anyone reach the gateway on its API port, and on no other port', () => {
    const api = podPorts(pods.gateway!).get('http')!;
    expect(api).toBe(8080);
    for (const from of [outsider, otherNamespace, monitoring]) expect(ingressAllowed('gateway', from, api)).toBe(true);
    expect(ingressAllowed('gateway', outsider, 9464)).toBe(false);
    expect(ingressAllowed('gateway', outsider, api, 'UDP')).toBe(false);
  });

  it.each(appPods.filter((p) => p !== 'gateway'))('accepts nothing from outside or other namespaces into %s', (name) => {
    const ports = [...podPorts(pods[name]!).values(), 80, 443, 8080, 8081, 8082, 9464];
    for (const port of ports) {
      expect([port, ingressAllowed(name, outsider, port)]).toEqual([port, false]);
      expect([port, ingressAllowed(name, otherNamespace, port)]).toEqual([port, false]);
      expect([port, ingressAllowed(name, { namespace: 'hookstream', labels: pods.gateway!.metadata.labels }, port)]).toEqual([port, false]);
    }
  });

  it.each(['gateway', 'matcher', 'delivery-worker'])('lets the monitoring namespace, and nobody else, scrape the ops port of %s', (name) => {
    const ops = podPorts(pods[name]!).get('ops')!;
    expect(ingressAllowed(name, monitoring, ops)).toBe(true);
    expect(ingressAllowed(name, monitoring, ops + 1000)).toBe(false);
    expect(ingressAllowed(name, outsider, ops)).toBe(false);
    expect(ingressAllowed(name, otherNamespace, ops)).toBe(false);
  });

  it('lets only the hookstream processes into the CloudNativePG PostgreSQL', () => {
    pods.postgres = { metadata: { labels: pgPodLabels }, spec: { containers: [] } };
    try {
      expect(pgCluster.metadata.namespace).toBe('hookstream');
      for (const name of appPods)
        expect([name, ingressAllowed('postgres', { namespace: 'hookstream', labels: pods[name]!.metadata.labels }, 5432)]).toEqual([name, true]);
      expect(ingressAllowed('postgres', outsider, 5432)).toBe(false);
      expect(ingressAllowed('postgres', otherNamespace, 5432)).toBe(false);
      expect(ingressAllowed('postgres', { namespace: 'hookstream', labels: pods.gateway!.metadata.labels }, 8000)).toBe(false);
    } finally {
      delete pods.postgres;
    }
  });

  it('lets the PostgreSQL instances replicate among themselves and the CloudNativePG operator reach their instance manager', () => {
    pods.postgres = { metadata: { labels: pgPodLabels }, spec: { containers: [] } };
    try {
      const peer: Party = { namespace: 'hookstream', labels: pgPodLabels };
      expect(ingressAllowed('postgres', peer, 5432)).toBe(true);
      expect(ingressAllowed('postgres', peer, 8000)).toBe(true);
      const operator: Party = { namespace: 'cnpg-system', labels: { 'app.kubernetes.io/name': 'cloudnative-pg' } };
      expect(ingressAllowed('postgres', operator, 8000)).toBe(true);
      expect(ingressAllowed('postgres', operator, 5432)).toBe(false);
      expect(ingressAllowed('postgres', otherNamespace, 8000)).toBe(false);
    } finally {
      delete pods.postgres;
    }
  });
});

describe('Kubernetes NetworkPolicies: egress', () => {
  const kafkaHost = configMap.KAFKA_BROKERS!.split(',')[0]!;
  const [kafkaName, kafkaPort] = kafkaHost.split(':') as [string, string];
  const kafka: Party = { namespace: kafkaName.split('.')[1]!, labels: { 'app.kubernetes.io/name': 'kafka' } };
  const postgres: Party = { namespace: pgCluster.metadata.namespace!, labels: pgPodLabels };

  it.each(appPods)('%s may reach DNS, the Kafka brokers of KAFKA_BROKERS and the CloudNativePG PostgreSQL', (name) => {
    expect(policiesOf('Egress', pods[name]!.metadata.labels).length).toBeGreaterThan(0);
    expect(egressAllowed(name, kubeDns, 53, 'UDP')).toBe(true);
    expect(egressAllowed(name, kubeDns, 53, 'TCP')).toBe(true);
    expect(egressAllowed(name, kafka, Number(kafkaPort))).toBe(true);
    expect(egressAllowed(name, postgres, 5432)).toBe(true);
    // ... and nothing else inside the cluster.
    expect(egressAllowed(name, otherNamespace, 443)).toBe(false);
    expect(egressAllowed(name, kafka, 5432)).toBe(false);
  });

  it.each(['gateway', 'matcher', 'hookstream-migrate-0-1-0', 'hookstream-prune'])('%s never calls out of the cluster', (name) => {
    for (const ip of ['8.8.8.8', '2606:4700:4700::1111', '169.254.169.254']) expect([ip, egressAllowed(name, { ip }, 443)]).toEqual([ip, false]);
  });

  it('lets the delivery worker reach public addresses on any port', () => {
    for (const [ip, port] of [
      ['8.8.8.8', 443],
      ['1.1.1.1', 8443],
      ['203.0.113.7', 80],
      ['2606:4700:4700::1111', 443],
    ] as const) {
      expect([ip, egressAllowed('delivery-worker', { ip }, port)]).toEqual([ip, true]);
    }
  });

  it.each([
    '10.0.0.1',
    '10.255.255.254',
    '172.16.0.1',
    '172.31.255.254',
    '192.168.1.1',
    '100.64.0.1',
    '100.127.255.254',
    '169.254.169.254',
    '169.254.0.1',
    '127.0.0.1',
    'fd00:ec2::254',
    'fd12:3456::1',
    'fe80::1',
    '::ffff:10.0.0.1',
    '::ffff:169.254.169.254',
  ])('keeps the delivery worker away from %s', (ip) => {
    for (const port of [80, 443, 8080]) expect([port, egressAllowed('delivery-worker', { ip }, port)]).toEqual([port, false]);
  });

  it('excepts every forbidden range entirely from each address block the worker may reach', () => {
    const blocks = policiesOf('Egress', pods['delivery-worker']!.metadata.labels).flatMap((p) =>
      (p.spec.egress ?? []).flatMap((r) => {
        // A rule without peers would open every address.
        expect(r.to?.length).toBeGreaterThan(0);
        return (r.to ?? []).flatMap((peer) => (peer.ipBlock ? [peer.ipBlock] : []));
      }),
    );
    expect(blocks.length).toBeGreaterThan(0);
    for (const range of FORBIDDEN_RANGES) {
      for (const block of blocks.filter((b) => cidrsOverlap(b.cidr, range))) {
        expect([block.cidr, range, (block.except ?? []).some((e) => cidrContainsCidr(e, range))]).toEqual([block.cidr, range, true]);
      }
    }
  });
});
