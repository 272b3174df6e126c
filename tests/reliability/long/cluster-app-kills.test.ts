import {
  runLoad,
  sleep,
  startPrivateCluster,
  startReceiver,
  startSystem,
  uniqueId,
  waitFor,
  type AppProcess,
  type PrivateCluster,
  type Receiver,
  type TestSystem,
} from '@hookstream/test-kit';
import { acceptanceDuring, faultStall, stallDuring, traceMissing } from '../test/support/cluster.js';
import { countDeliveries, missing, missingEvents, type FaultCount } from '../test/support/counting.js';
import { explainMissing } from '../test/support/diagnose.js';
import { recordResults } from '../test/support/results.js';
import { event, newTenant, subscribe } from '../test/support/system.js';

// Issue 21: two instances of every app on a three-broker cluster, one of each SIGKILLed mid-run
// and started again by a "supervisor" 2 s later. The apps keep their production settings (session
// and heartbeat defaults), so the stall measured is the one a deployment sees; it is reported,
// never asserted (recovery time is measured, not enforced, by tests).
const LOAD_MS = Number(process.env.RELIABILITY_LOAD_MS ?? 60_000);
const PORT = Number(process.env.RELIABILITY_CLUSTER_APPS_PORT ?? 19341);
const RESTART_AFTER_MS = 2000;

describe('two instances of every app on a three-broker cluster, one of each SIGKILLed mid-run (issue 21)', () => {
  let cluster: PrivateCluster;
  let system: TestSystem;
  let receiver: Receiver;
  const faults: FaultCount[] = [];
  const measured: Record<string, unknown> = { cluster_port: PORT, load_ms: LOAD_MS };

  beforeAll(async () => {
    cluster = await startPrivateCluster({ port: PORT, brokers: 3 });
    [system, receiver] = await Promise.all([
      startSystem({ partitions: 6, matchers: 2, workers: 2, brokers: cluster.brokers, env: { MATCHER_GROUP_ID: uniqueId('cluster-matcher-') } }),
      startReceiver(),
    ]);
  }, 300_000);
  afterAll(async () => {
    recordResults({ faults, cluster_app_kills: measured });
    await system?.stop();
    await receiver?.close();
    await cluster?.destroy();
  }, 300_000);

  it('gateway x2 (publishers split), matcher x2, worker x2; one of each killed: nothing accepted is lost', async () => {
    let gatewayB: AppProcess | undefined = await system.add('gateway');
    const gatewayA = system.gateway;
    const tenant = await newTenant(system, 'cluster-apps');
    const paths = ['/cluster-apps/a', '/cluster-apps/b'];
    await subscribe(tenant, receiver, paths, 'replied-message');
    const publisher = (baseUrl: () => string) =>
      runLoad({
        baseUrl,
        apiKey: tenant.apiKey,
        nextBatch: (n) => Array.from({ length: n }, () => event('replied-message', tenant.id)),
        batchSize: 10,
        intervalMs: 200,
        durationMs: LOAD_MS,
        maxAttempts: 100_000,
        retryDelayMs: 500,
      });
    const t0 = Date.now();
    // Publisher B's gateway dies: like a load balancer, it falls back to gateway A until B's replacement is up.
    const loads = [publisher(() => gatewayA.baseUrl), publisher(() => (gatewayB ?? gatewayA).baseUrl)];
    await receiver.waitForRequests(50, { path: paths[0], timeoutMs: 60_000 });
    await sleep(Math.max(0, LOAD_MS / 3 - (Date.now() - t0)));

    const victims = [gatewayB, system.matchers[1]!, system.workers[1]!];
    const killedAt = Date.now();
    const codes = await Promise.all(victims.map((p) => p.stop('SIGKILL')));
    gatewayB = undefined;
    await sleep(RESTART_AFTER_MS);
    const restarted: Record<string, number> = {};
    const replacements = await Promise.all(
      (['gateway', 'matcher', 'delivery-worker'] as const).map(async (name) => {
        const p = await system.add(name);
        restarted[name] = Date.now() - killedAt;
        return p;
      }),
    );
    gatewayB = replacements[0];
    const [sentA, sentB] = await Promise.all(loads);
    const loadEnd = Date.now();
    const accepted = [...sentA!.accepted, ...sentB!.accepted];
    const publishedAt = new Map([...sentA!.publishedAt, ...sentB!.publishedAt]);

    await waitFor(() => missing(receiver, paths, accepted) === 0, { timeoutMs: 240_000, intervalMs: 500, what: 'every accepted event delivered' }).catch(
      () => undefined,
    );
    const count = countDeliveries('cluster_app_instances_sigkill', receiver, paths, accepted);
    const stall = stallDuring(receiver, paths, publishedAt, { from: killedAt, to: loadEnd });
    faults.push({ ...count, stall: faultStall(stall) });
    measured.app_instances_sigkill = {
      killed: ['gateway', 'matcher', 'delivery-worker'],
      restart_after_ms: RESTART_AFTER_MS,
      replacement_ready_after_kill_ms: restarted,
      accepted: count.accepted,
      accepted_per_publisher: [sentA!.accepted.length, sentB!.accepted.length],
      lost: count.lost,
      duplicated: count.duplicated,
      client_retried_requests: sentA!.retriedRequests + sentB!.retriedRequests,
      stall,
      publishing: acceptanceDuring([...sentA!.acceptedAt, ...sentB!.acceptedAt], { from: killedAt, to: loadEnd }),
    };
    if (count.lost > 0) {
      const lostIds = missingEvents(receiver, paths, accepted);
      process.stderr.write(`${await explainMissing(system, tenant.id, lostIds)}\n${JSON.stringify(await traceMissing(system.kafka, lostIds))}\n`);
    }
    expect(codes).toEqual(['SIGKILL', 'SIGKILL', 'SIGKILL']);
    expect(sentA!.accepted.length).toBeGreaterThan(0);
    expect(sentB!.accepted.length).toBeGreaterThan(0);
    expect([...sentA!.abandoned, ...sentB!.abandoned]).toEqual([]);
    expect(count.mixedIds).toBe(0);
    expect(count.lost).toBe(0);
  });
});
