import { replicationFor } from '@hookstream/service-kit';

interface Launcher {
  replicationFor(brokers: number): { replicationFactor: number; minInsyncReplicas: number };
  brokerLiveness(env: Record<string, string | undefined>): { sessionTimeoutMs: number; heartbeatIntervalMs: number };
}

const launcher = async () => (await import(new URL('../kafka/cluster.mjs', import.meta.url).href)) as Launcher;

describe('infra/kafka cluster launcher (issue 21)', () => {
  it('gives its brokers the replication defaults the apps create their topics with and check them against, for 1 to 9 nodes', async () => {
    // The launcher runs before anything is built, so it carries its own copy of the rule. The apps
    // create topics with the brokers' defaults and refuse to start on fewer copies than replicationFor.
    const { replicationFor: launcherRule } = await launcher();
    for (let n = 1; n <= 9; n++) {
      const apps = replicationFor(n);
      // Below a factor of 3 the apps want no particular min.insync.replicas; the launcher sets 1.
      expect(launcherRule(n)).toEqual({ replicationFactor: apps.replicationFactor, minInsyncReplicas: apps.minInsyncReplicas ?? 1 });
    }
  });

  it('fences a dead node after KAFKA_BROKER_SESSION_TIMEOUT_MS (4 s unless set), heartbeating four times within it', async () => {
    const { brokerLiveness } = await launcher();
    expect(brokerLiveness({})).toEqual({ sessionTimeoutMs: 4000, heartbeatIntervalMs: 1000 });
    expect(brokerLiveness({ KAFKA_BROKER_SESSION_TIMEOUT_MS: '9000' })).toEqual({ sessionTimeoutMs: 9000, heartbeatIntervalMs: 2250 });
    expect(() => brokerLiveness({ KAFKA_BROKER_SESSION_TIMEOUT_MS: '2s' })).toThrow('KAFKA_BROKER_SESSION_TIMEOUT_MS must be a whole number');
  });
});
