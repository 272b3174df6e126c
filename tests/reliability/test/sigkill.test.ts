import { runLoad, startReceiver, waitFor, type AppName, type AppProcess, type Receiver, type TestSystem } from '@hookstream/test-kit';
import { countDeliveries, missing, missingEvents, type FaultCount } from './support/counting.js';
import { explainMissing } from './support/diagnose.js';
import { recordResults } from './support/results.js';
import { event, newTenant, startReliabilitySystem, subscribe } from './support/system.js';

const LOAD_MS = Number(process.env.RELIABILITY_LOAD_MS ?? 8000);

describe('SIGKILL of each app in turn during sustained load', () => {
  let system: TestSystem;
  let receiver: Receiver;
  /** The processes running now (a killed one is replaced by a new process). */
  const current: Record<AppName, AppProcess | undefined> = { gateway: undefined, matcher: undefined, 'delivery-worker': undefined };
  const faults: FaultCount[] = [];

  beforeAll(async () => {
    [system, receiver] = await Promise.all([startReliabilitySystem({ partitions: 3 }), startReceiver()]);
    current.gateway = system.gateway;
    current.matcher = system.matchers[0];
    current['delivery-worker'] = system.workers[0];
  });
  afterAll(async () => {
    recordResults({ faults });
    await system?.stop();
    await receiver?.close();
  });

  it.each<AppName>(['gateway', 'matcher', 'delivery-worker'])('kill -9 of the %s loses no accepted event', async (app) => {
    const tenant = await newTenant(system, `kill-${app}`, current.gateway!.baseUrl);
    const paths = [`/kill-${app}/a`, `/kill-${app}/b`];
    await subscribe(tenant, receiver, paths, 'replied-message');

    const load = runLoad({
      baseUrl: () => current.gateway!.baseUrl,
      apiKey: tenant.apiKey,
      nextBatch: (n) => Array.from({ length: n }, () => event('replied-message', tenant.id)),
      batchSize: 10,
      intervalMs: 100,
      durationMs: LOAD_MS,
    });
    // Deliveries are flowing before the kill.
    await receiver.waitForRequests(20, { path: paths[0], timeoutMs: 30_000 });
    const victim = current[app]!;
    expect(await victim.stop('SIGKILL')).toBe('SIGKILL');
    current[app] = await system.add(app);
    const sent = await load;

    expect(sent.accepted.length).toBeGreaterThan(0);
    expect(sent.abandoned).toEqual([]);
    await waitFor(() => missing(receiver, paths, sent.accepted) === 0, {
      timeoutMs: 90_000,
      intervalMs: 250,
      what: `every accepted event at both paths after the ${app} kill (missing ${missing(receiver, paths, sent.accepted)})`,
    }).catch(() => undefined);
    const count = countDeliveries(`sigkill_${app}`, receiver, paths, sent.accepted);
    faults.push(count);
    if (count.lost > 0) process.stderr.write(`${await explainMissing(system, tenant.id, missingEvents(receiver, paths, sent.accepted))}\n`);
    expect(count.mixedIds).toBe(0);
    expect(count.lost).toBe(0);
    expect(count.delivered).toBe(sent.accepted.length * paths.length);
  });
});
