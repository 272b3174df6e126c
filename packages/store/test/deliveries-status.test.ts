import { isNewerOrSame, statusRankSql, STATUS_RANK, type DeliveryStatus } from '../src/index.js';

describe('delivery status ranking', () => {
  it('orders waiting, then retrying, then every final status alike', () => {
    expect(STATUS_RANK.pending).toBeLessThan(STATUS_RANK.retrying);
    for (const final of ['delivered', 'discarded', 'skipped'] as DeliveryStatus[]) expect(STATUS_RANK[final]).toBeGreaterThan(STATUS_RANK.retrying);
    expect(new Set([STATUS_RANK.delivered, STATUS_RANK.discarded, STATUS_RANK.skipped]).size).toBe(1);
  });

  it('compares cycle first, then attempts, then status rank', () => {
    expect(isNewerOrSame({ cycle: 1, attempts: 1, status: 'pending' }, { cycle: 0, attempts: 6, status: 'discarded' })).toBe(true);
    expect(isNewerOrSame({ cycle: 0, attempts: 6, status: 'discarded' }, { cycle: 1, attempts: 1, status: 'pending' })).toBe(false);
    expect(isNewerOrSame({ cycle: 0, attempts: 2, status: 'pending' }, { cycle: 0, attempts: 1, status: 'delivered' })).toBe(true);
    expect(isNewerOrSame({ cycle: 0, attempts: 1, status: 'delivered' }, { cycle: 0, attempts: 1, status: 'retrying' })).toBe(true);
    expect(isNewerOrSame({ cycle: 0, attempts: 1, status: 'retrying' }, { cycle: 0, attempts: 1, status: 'delivered' })).toBe(false);
    // A late duplicate of the same final state still applies (it is the same state).
    expect(isNewerOrSame({ cycle: 0, attempts: 1, status: 'skipped' }, { cycle: 0, attempts: 1, status: 'delivered' })).toBe(true);
  });

  it('generates the SQL CASE from the same table', () => {
    expect(statusRankSql('deliveries.status')).toBe("(CASE deliveries.status WHEN 'pending' THEN 0 WHEN 'retrying' THEN 1 ELSE 2 END)");
    expect(statusRankSql('EXCLUDED.status')).toContain('CASE EXCLUDED.status ');
  });

  it('refuses anything but a column reference', () => {
    expect(() => statusRankSql('status); DROP TABLE deliveries; --')).toThrow('not a column reference');
  });
});
