import { errorLines, startPrivateBroker, startSystem, type AppProcess, type PrivateBroker, type TestSystem } from '@hookstream/test-kit';

const appsOf = (system: TestSystem): AppProcess[] => [system.gateway, ...system.matchers, ...system.workers];
const errorsOf = (system: TestSystem) => appsOf(system).flatMap((p) => errorLines(p.output()).map((l) => `[${p.name}] ${l}`));

/**
 * A healthy start prints no error-level line: the broker's expected answers while it sets up
 * coordinators, leaders and groups are retried quietly (service-kit's KafkaLogLevels).
 */
describe('a healthy start', () => {
  it('prints no error-level line on the running broker', async () => {
    const system = await startSystem();
    try {
      // Every app wrote its start-up lines up to "ready".
      for (const p of appsOf(system)) expect(p.output().some((l) => l.includes('"msg":"ready"') || l.includes('gateway listening'))).toBe(true);
      expect(errorsOf(system)).toEqual([]);
    } finally {
      await system.stop();
    }
  });

  it('prints no error-level line on a broker started a moment ago (coordinators still loading)', async () => {
    let broker: PrivateBroker | undefined;
    let system: TestSystem | undefined;
    try {
      broker = await startPrivateBroker({ port: Number(process.env.QUIET_START_BROKER_PORT ?? 19492) });
      system = await startSystem({ brokers: broker.brokers });
      expect(errorsOf(system)).toEqual([]);
    } finally {
      await system?.stop();
      await broker?.destroy();
    }
  });
});
