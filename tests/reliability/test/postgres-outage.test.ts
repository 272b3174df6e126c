import { randomUUID } from 'node:crypto';
import { encodeEventRecord } from '@hookstream/schemas';
import { runLoad, sleep, startReceiver, startTcpProxy, waitFor, type Receiver, type TcpProxy, type TestSystem } from '@hookstream/test-kit';
import { countDeliveries, missing, missingEvents, type FaultCount } from './support/counting.js';
import { explainMissing } from './support/diagnose.js';
import { isReady, watchProcesses } from './support/ops.js';
import { recordResults } from './support/results.js';
import { event, newTenant, SHORT_STUCK_EXIT_ENV, startReliabilitySystem, subscribe } from './support/system.js';

/** 20 s in the long part; shorter in the fast part (still well past the 3 s stall setting). */
const OUTAGE_MS = Number(process.env.RELIABILITY_PG_OUTAGE_MS ?? 12_000);

describe('PostgreSQL unavailable during load', () => {
  let system: TestSystem;
  let receiver: Receiver;
  let proxy: TcpProxy;
  const faults: FaultCount[] = [];
  const measured: Record<string, unknown> = {};

  beforeAll(async () => {
    const server = new URL(process.env.HOOKSTREAM_TEST_PG_URL!);
    proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
    // The apps reach PostgreSQL only through the proxy; the test itself connects directly.
    const viaProxy = (url: string) => {
      const u = new URL(url);
      u.host = proxy.address;
      return u.toString();
    };
    [system, receiver] = await Promise.all([startReliabilitySystem({ partitions: 2, databaseUrl: viaProxy, env: SHORT_STUCK_EXIT_ENV }), startReceiver()]);
  });
  afterAll(async () => {
    recordResults({ faults, postgres_outage: measured });
    await system?.stop();
    await receiver?.close();
    await proxy?.close();
  });

  it(`keeps the work in Kafka for ${OUTAGE_MS / 1000} s, reports not ready while stuck, and catches up with nothing lost`, async () => {
    const tenant = await newTenant(system, 'pg-outage');
    const paths = ['/pg/a', '/pg/b'];
    await subscribe(tenant, receiver, paths, 'user-followed');
    const load = runLoad({
      baseUrl: () => system.gateway.baseUrl,
      apiKey: tenant.apiKey,
      nextBatch: (n) => Array.from({ length: n }, () => event('user-followed', tenant.id)),
      batchSize: 10,
      intervalMs: 100,
      durationMs: OUTAGE_MS + 8000,
      maxAttempts: 10_000,
    });
    await receiver.waitForRequests(20, { path: paths[0], timeoutMs: 30_000 });

    await proxy.down();
    const watch = watchProcesses(
      { gateway: () => system.gateway.opsUrl, matcher: () => system.matchers[0]!.opsUrl, worker: () => system.workers[0]!.opsUrl },
      'hookstream_consumer_seconds_since_last_commit',
    );
    // The gateway cannot check event ids against its dedup table now and refuses (503, retried
    // by the client); other producers keep writing to the topic, and that work has to wait.
    const direct: string[] = [];
    const outageEnds = Date.now() + OUTAGE_MS;
    while (Date.now() < outageEnds) {
      const batch = Array.from({ length: 10 }, () => event('user-followed', tenant.id));
      await system.kafka.publish(
        system.kafka.topics.events,
        batch.map((e) => ({ ...encodeEventRecord(e), key: `${tenant.id}:${randomUUID()}` })),
      );
      direct.push(...batch.map((e) => e.id));
      await sleep(500);
    }
    const duringOutage = JSON.parse(JSON.stringify(watch.seen)) as typeof watch.seen;
    await proxy.up();
    const sent = await load;
    await watch.stop();

    const accepted = [...sent.accepted, ...direct];
    await waitFor(() => missing(receiver, paths, accepted) === 0, { timeoutMs: 90_000, intervalMs: 250, what: 'every accepted event delivered' }).catch(
      () => undefined,
    );
    const count = countDeliveries('postgres_down', receiver, paths, accepted);
    faults.push(count);
    measured.outage_ms = OUTAGE_MS;
    measured.during_outage = duringOutage;
    measured.client_retried_requests = sent.retriedRequests;
    if (count.lost > 0) process.stderr.write(`${await explainMissing(system, tenant.id, missingEvents(receiver, paths, accepted))}\n`);

    expect(sent.abandoned).toEqual([]);
    expect(count.mixedIds).toBe(0);
    expect(count.lost).toBe(0);
    // While it could not index events the matcher said so, and its time since the last commit grew past the stall limit.
    expect(duringOutage.matcher!.notReady).toBeGreaterThan(0);
    expect(duringOutage.matcher!.maxMetric).toBeGreaterThan(3);
    // Recovered by themselves: every process ready again, nobody restarted.
    for (const p of [system.gateway, ...system.matchers, ...system.workers]) {
      await waitFor(() => isReady(p.opsUrl), { timeoutMs: 30_000, what: `${p.name} ready again` });
      expect(p.child.exitCode).toBeNull();
    }
  });
});
