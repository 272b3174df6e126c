import {
  deliveryStall,
  runLoad,
  sleep,
  startReceiver,
  startSystem,
  uniqueId,
  waitFor,
  type AppProcess,
  type Receiver,
  type TestSystem,
} from '@hookstream/test-kit';
import { countDeliveries, eventIdOf, missing, missingEvents, type FaultCount } from '../test/support/counting.js';
import { explainMissing } from '../test/support/diagnose.js';
import { recordResults } from '../test/support/results.js';
import { event, newTenant, subscribe } from '../test/support/system.js';

/** Sustained load around each kill; the kill comes KILL_AT_MS into it. */
const LOAD_MS = Number(process.env.RELIABILITY_RECOVERY_LOAD_MS ?? 30_000);
const KILL_AT_MS = 8_000;
/** A supervisor (`npm start`, Kubernetes) starts the replacement this long after the death. */
const RESTART_AFTER_MS = 2_000;

type Consumer = 'delivery-worker' | 'matcher';

/**
 * Issue 21, recovery time: a SIGKILLed worker or matcher never leaves its consumer group, and its
 * partitions deliver nothing until the group gives up on it. The apps run here with their
 * default group settings (not the reliability suite's short ones), so the stall printed and
 * recorded is what a deployment gets. The stall is measured, never asserted (a timed assertion
 * on a shared 2-core machine would be flaky): the assertions are that delivery resumes and that
 * nothing accepted is lost.
 */
describe('recovery after a SIGKILL of a consumer, replaced 2 s later, with the default group settings', () => {
  let system: TestSystem;
  let receiver: Receiver;
  const current: Record<Consumer, AppProcess | undefined> = { matcher: undefined, 'delivery-worker': undefined };
  const faults: FaultCount[] = [];
  const stalls: Record<string, unknown>[] = [];

  beforeAll(async () => {
    [system, receiver] = await Promise.all([
      // A matcher group of this system's own; no session or heartbeat settings: the defaults are under test.
      startSystem({ partitions: 3, env: { MATCHER_GROUP_ID: uniqueId('rel-recovery-'), SHUTDOWN_TIMEOUT_MS: '5000' } }),
      startReceiver(),
    ]);
    current.matcher = system.matchers[0];
    current['delivery-worker'] = system.workers[0];
  });
  afterAll(async () => {
    recordResults({ faults, app_recovery: stalls });
    await system?.stop();
    await receiver?.close();
  });

  it.each<Consumer>(['delivery-worker', 'matcher'])('kill -9 of the %s: delivery resumes and no accepted event is lost', async (app) => {
    const tenant = await newTenant(system, `recover-${app}`);
    const paths = [`/recover-${app}/a`, `/recover-${app}/b`];
    await subscribe(tenant, receiver, paths, 'replied-message');

    const load = runLoad({
      baseUrl: () => system.gateway.baseUrl,
      apiKey: tenant.apiKey,
      nextBatch: (n) => Array.from({ length: n }, () => event('replied-message', tenant.id)),
      batchSize: 10,
      intervalMs: 100,
      durationMs: LOAD_MS,
    });
    await sleep(KILL_AT_MS);
    const before = receiver.at(paths[0]!).length;
    expect(before).toBeGreaterThan(0);
    const killedAt = Date.now();
    expect(await current[app]!.stop('SIGKILL')).toBe('SIGKILL');
    await sleep(RESTART_AFTER_MS);
    current[app] = await system.add(app);
    const readyAfterMs = Date.now() - killedAt;
    const sent = await load;

    expect(sent.abandoned).toEqual([]);
    // Events published after the kill are the evidence that the replacement took the partitions over.
    const afterKill = sent.accepted.filter((id) => sent.publishedAt.get(id)! >= killedAt);
    expect(afterKill.length).toBeGreaterThan(0);
    await waitFor(() => missing(receiver, paths, sent.accepted) === 0, {
      timeoutMs: 120_000,
      intervalMs: 250,
      what: `every accepted event at both paths after the ${app} kill`,
    }).catch(() => undefined);
    const count = countDeliveries(`recovery_sigkill_${app}`, receiver, paths, sent.accepted);
    const stall = deliveryStall({
      receipts: paths.flatMap((p) => receiver.at(p)),
      publishedAt: sent.publishedAt,
      faultAt: killedAt,
      eventIdOf: (r) => eventIdOf(r.body),
    });
    const figures = {
      fault: `sigkill_${app}`,
      restart_after_ms: RESTART_AFTER_MS,
      replacement_ready_after_ms: readyAfterMs,
      resumed_after_ms: stall.resumedAfterMs ?? null,
      longest_gap_ms: stall.longestGapMs,
      p99_during_fault_ms: stall.latencyDuringFault.p99,
      accepted: count.accepted,
      lost: count.lost,
      duplicated: count.duplicated,
    };
    process.stderr.write(`[app-recovery] ${JSON.stringify(figures)}\n`);
    faults.push({
      ...count,
      stall: { p99_during_fault_ms: figures.p99_during_fault_ms, longest_gap_ms: figures.longest_gap_ms, recovery_ms: figures.resumed_after_ms },
    });
    stalls.push(figures);
    if (count.lost > 0) process.stderr.write(`${await explainMissing(system, tenant.id, missingEvents(receiver, paths, sent.accepted))}\n`);
    expect(stall.resumedAfterMs).toBeDefined();
    expect(missing(receiver, paths, afterKill)).toBe(0);
    expect(count.mixedIds).toBe(0);
    expect(count.lost).toBe(0);
    expect(count.delivered).toBe(sent.accepted.length * paths.length);
  });
});
