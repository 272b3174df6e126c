import { ensureTopics } from '@hookstream/service-kit';
import {
  runLoad,
  startPrivateCluster,
  startReceiver,
  startSystem,
  uniqueId,
  waitFor,
  type PrivateCluster,
  type Receiver,
  type TestSystem,
} from '@hookstream/test-kit';
import {
  acceptanceDuring,
  faultStall,
  leadersByBroker,
  replicationOf,
  stallDuring,
  systemTopics,
  traceMissing,
  underReplicated,
  waitForFullIsr,
} from '../test/support/cluster.js';
import { countDeliveries, missing, missingEvents, type FaultCount } from '../test/support/counting.js';
import { explainMissing } from '../test/support/diagnose.js';
import { isReady } from '../test/support/ops.js';
import { recordResults } from '../test/support/results.js';
import { event, newTenant, subscribe } from '../test/support/system.js';

// Issue 21: broker faults on a three-broker cluster under sustained load, the apps with their
// production settings (no shortened session timeouts): what a user of a replicated cluster sees.
const LOAD_MS = Number(process.env.RELIABILITY_LOAD_MS ?? 60_000);
/** How long the SIGKILLed broker stays down before it is started again. */
const DOWN_MS = Number(process.env.RELIABILITY_CLUSTER_DOWN_MS ?? 20_000);
const PORT = Number(process.env.RELIABILITY_CLUSTER_PORT ?? 19301);
const PARTITIONS = 6;

describe('broker faults on a three-broker cluster under sustained load (issue 21)', () => {
  let cluster: PrivateCluster;
  let system: TestSystem;
  let receiver: Receiver;
  const faults: FaultCount[] = [];
  const measured: Record<string, unknown> = { cluster_port: PORT, load_ms: LOAD_MS, partitions: PARTITIONS };

  beforeAll(async () => {
    cluster = await startPrivateCluster({ port: PORT, brokers: 3 });
    [system, receiver] = await Promise.all([
      startSystem({
        partitions: PARTITIONS,
        brokers: cluster.brokers,
        // A group of this system's own; everything else as in production.
        env: { MATCHER_GROUP_ID: uniqueId('cluster-matcher-') },
      }),
      startReceiver(),
    ]);
  }, 300_000);
  afterAll(async () => {
    recordResults({ faults, cluster_broker_faults: measured });
    // A failed test may have left a node down: the clean-up needs the cluster.
    for (const n of cluster?.nodes ?? []) if (n.pid() === undefined) await n.start().catch(() => undefined);
    await system?.stop();
    await receiver?.close();
    await cluster?.destroy();
  }, 300_000);

  it('every topic the apps and the test kit created has three replicas and min.insync.replicas 2', async () => {
    const topics = (await systemTopics(system.kafka.admin, system.kafka.prefix)).filter((t) => t.startsWith(system.kafka.prefix));
    const replication = await replicationOf(system.kafka.admin, topics);
    expect(replication.length).toBeGreaterThanOrEqual(12);
    for (const t of replication) expect(t).toEqual({ topic: t.topic, replicas: [3], minIsr: '2' });
  });

  it('a topic created while a node is down and out of the metadata still gets three replicas', async () => {
    // The race of issue 21: the factor used to be counted from the brokers the metadata listed at
    // creation, 2 here. Created with the brokers' default, the controller counts every registered
    // node, places a replica on the fenced one too, and that replica catches up once it is back.
    const admin = system.kafka.admin;
    const node = cluster.nodes[2]!;
    const topic = `${system.kafka.prefix}created-while-node-down`;
    await node.kill();
    try {
      await waitFor(async () => (await admin.describeCluster()).brokers.length === 2, { timeoutMs: 60_000, what: `node ${node.id} fenced` });
      await ensureTopics(admin, [{ topic, numPartitions: 3 }]);
      // The broker asked may not know the new topic yet for a moment (UNKNOWN_TOPIC_OR_PARTITION).
      const replication = await waitFor(() => replicationOf(admin, [topic]), { timeoutMs: 30_000, what: `metadata of ${topic}` });
      expect(replication).toEqual([{ topic, replicas: [3], minIsr: '2' }]);
      expect(await underReplicated(admin, [topic])).toBe(3);
    } finally {
      await node.start();
    }
    await waitForFullIsr(admin, [...(await systemTopics(admin, system.kafka.prefix)), topic]);
  });

  it(`SIGKILL of the broker leading the most events and deliveries partitions, down ${DOWN_MS / 1000} s during ${LOAD_MS / 1000} s of load: nothing accepted is lost`, async () => {
    const tenant = await newTenant(system, 'cluster-kill');
    const paths = ['/cluster-kill/a', '/cluster-kill/b'];
    await subscribe(tenant, receiver, paths, 'replied-message');
    const load = runLoad({
      baseUrl: () => system.gateway.baseUrl,
      apiKey: tenant.apiKey,
      nextBatch: (n) => Array.from({ length: n }, () => event('replied-message', tenant.id)),
      batchSize: 10,
      intervalMs: 100,
      durationMs: LOAD_MS,
      maxAttempts: 100_000,
      retryDelayMs: 500,
    });
    await receiver.waitForRequests(50, { path: paths[0], timeoutMs: 60_000 });
    const topics = [system.kafka.topics.events, system.kafka.topics.deliveries];
    const leaders = await leadersByBroker(system.kafka.admin, topics);
    const victim = cluster.nodes.find((n) => n.id === leaders[0]!.nodeId)!;
    const t0 = Date.now();
    await victim.kill();
    await new Promise((r) => setTimeout(r, Math.max(0, DOWN_MS - (Date.now() - t0))));
    await victim.start();
    const allTopics = await systemTopics(system.kafka.admin, system.kafka.prefix);
    await waitForFullIsr(system.kafka.admin, allTopics);
    const inSyncAt = Date.now();
    const sent = await load;

    await waitFor(() => missing(receiver, paths, sent.accepted) === 0, { timeoutMs: 180_000, intervalMs: 500, what: 'every accepted event delivered' }).catch(
      () => undefined,
    );
    const count = countDeliveries('cluster_sigkill_leader_broker', receiver, paths, sent.accepted);
    const stall = stallDuring(receiver, paths, sent.publishedAt, { from: t0, to: inSyncAt });
    faults.push({ ...count, stall: faultStall(stall) });
    measured.sigkill_leader_broker = {
      killed_node: victim.id,
      leaders_before: leaders,
      down_ms: DOWN_MS,
      back_in_sync_after_kill_ms: inSyncAt - t0,
      accepted: count.accepted,
      lost: count.lost,
      duplicated: count.duplicated,
      client_retried_requests: sent.retriedRequests,
      stall,
      publishing: acceptanceDuring(sent.acceptedAt, { from: t0, to: inSyncAt }),
    };
    if (count.lost > 0) {
      const lostIds = missingEvents(receiver, paths, sent.accepted);
      process.stderr.write(`${await explainMissing(system, tenant.id, lostIds)}\n${JSON.stringify(await traceMissing(system.kafka, lostIds))}\n`);
    }
    expect(sent.abandoned).toEqual([]);
    expect(count.mixedIds).toBe(0);
    expect(count.lost).toBe(0);
    for (const p of [system.gateway, ...system.matchers, ...system.workers]) {
      await waitFor(() => isReady(p.opsUrl), { timeoutMs: 60_000, what: `${p.name} ready` });
      expect(p.child.exitCode).toBeNull();
    }
  });

  it('a rolling restart of all three brokers, each back in sync before the next, under load: nothing accepted is lost', async () => {
    const tenant = await newTenant(system, 'cluster-roll');
    const paths = ['/cluster-roll/a', '/cluster-roll/b'];
    await subscribe(tenant, receiver, paths, 'replied-message');
    let rolled = false;
    const load = runLoad({
      baseUrl: () => system.gateway.baseUrl,
      apiKey: tenant.apiKey,
      nextBatch: (n) => Array.from({ length: n }, () => event('replied-message', tenant.id)),
      batchSize: 10,
      intervalMs: 100,
      // Lasts as long as the restart does (bounded by the ISR waits), and 10 s more.
      durationMs: 15 * 60_000,
      stopWhen: () => rolled,
      maxAttempts: 100_000,
      retryDelayMs: 500,
    });
    await receiver.waitForRequests(50, { path: paths[0], timeoutMs: 60_000 });
    const allTopics = await systemTopics(system.kafka.admin, system.kafka.prefix);
    const t0 = Date.now();
    const steps: Array<{ node: number; stopped_ms: number; started_ms: number; in_sync_ms: number }> = [];
    for (const node of cluster.nodes) {
      const s0 = Date.now();
      await node.stop();
      const stopped = Date.now();
      await node.start();
      const started = Date.now();
      await waitForFullIsr(system.kafka.admin, allTopics);
      steps.push({ node: node.id, stopped_ms: stopped - s0, started_ms: started - stopped, in_sync_ms: Date.now() - started });
    }
    const doneAt = Date.now();
    await new Promise((r) => setTimeout(r, 10_000));
    rolled = true;
    const sent = await load;

    await waitFor(() => missing(receiver, paths, sent.accepted) === 0, { timeoutMs: 180_000, intervalMs: 500, what: 'every accepted event delivered' }).catch(
      () => undefined,
    );
    const count = countDeliveries('cluster_rolling_restart', receiver, paths, sent.accepted);
    const stall = stallDuring(receiver, paths, sent.publishedAt, { from: t0, to: doneAt });
    faults.push({ ...count, stall: faultStall(stall) });
    measured.rolling_restart = {
      steps,
      total_ms: doneAt - t0,
      accepted: count.accepted,
      lost: count.lost,
      duplicated: count.duplicated,
      client_retried_requests: sent.retriedRequests,
      stall,
      publishing: acceptanceDuring(sent.acceptedAt, { from: t0, to: doneAt }),
    };
    if (count.lost > 0) {
      const lostIds = missingEvents(receiver, paths, sent.accepted);
      process.stderr.write(`${await explainMissing(system, tenant.id, lostIds)}\n${JSON.stringify(await traceMissing(system.kafka, lostIds))}\n`);
    }
    expect(sent.abandoned).toEqual([]);
    expect(count.mixedIds).toBe(0);
    expect(count.lost).toBe(0);
    expect(steps.map((s) => s.node)).toEqual([1, 2, 3]);
    for (const p of [system.gateway, ...system.matchers, ...system.workers]) expect(p.child.exitCode).toBeNull();
  });
});
