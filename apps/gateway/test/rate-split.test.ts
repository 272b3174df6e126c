import { rateDemandReporters } from '@hookstream/store/testing';
import { sleep, startApp, type AppProcess } from '@hookstream/test-kit';
import { startHarness, type Harness } from './helpers/harness.js';

const RATE = 20;
const SYNC_MS = 200;

interface Answer {
  at: number;
  status: number;
}

/** Two clients per gateway, each calling every 40 ms (about 50 requests/s per gateway) until `until`. */
async function load(baseUrl: string, key: string, until: number): Promise<Answer[]> {
  const answers: Answer[] = [];
  const client = async () => {
    while (Date.now() < until) {
      const res = await fetch(`${baseUrl}/v1/secrets`, { headers: { authorization: `Bearer ${key}` } });
      await res.arrayBuffer();
      answers.push({ at: Date.now(), status: res.status });
      await sleep(40);
    }
  };
  await Promise.all([client(), client()]);
  return answers;
}

const acceptedAfter = (answers: Answer[], from: number) => answers.filter((a) => a.at >= from && a.status === 200).length;

describe('one tenant rate limit across gateways', () => {
  let h: Harness;
  let second: AppProcess;
  let key: string;
  const env = { TENANT_RATE_LIMIT_PER_S: String(RATE), TENANT_RATE_LIMIT_BURST: String(RATE), TENANT_RATE_SYNC_MS: String(SYNC_MS) };

  beforeAll(async () => {
    h = await startHarness(env);
    second = await startApp('gateway', { env: h.env });
    key = (await h.createTenant('split')).api_key;
  });
  afterAll(async () => {
    await second?.stop('SIGTERM');
    await h?.close();
  });

  it('grants the limit once between two gateways that share the traffic, and whole to one that gets it all', async () => {
    // Both gateways get about 50 requests/s of the tenant: together they grant about 20/s,
    // not 20/s each. Measured after the first second, once the split has settled.
    const t0 = Date.now();
    const [a, b] = await Promise.all([load(h.app.baseUrl, key, t0 + 4000), load(second.baseUrl, key, t0 + 4000)]);
    const windowS = 2.5;
    const shared = { first: acceptedAfter(a, t0 + 1500), second: acceptedAfter(b, t0 + 1500) };
    const total = shared.first + shared.second;
    process.stderr.write(
      `[rate split] two gateways, ${RATE}/s limit: accepted ${total} in ${windowS} s (${shared.first} + ${shared.second}) of ${a.length + b.length} requests\n`,
    );
    expect(total).toBeLessThanOrEqual(RATE * windowS * 1.4);
    expect(total).toBeGreaterThanOrEqual(RATE * windowS * 0.6);
    expect(Math.min(shared.first, shared.second)).toBeGreaterThan(0);
    expect([...a, ...b].every((x) => x.status === 200 || x.status === 429)).toBe(true);

    // The second gateway stops (and withdraws its reports): the first grants the whole limit again.
    await second.stop('SIGTERM');
    const t1 = Date.now();
    const alone = await load(h.app.baseUrl, key, t1 + 3000);
    const reporters = await rateDemandReporters(h.pg.db);
    const aloneAccepted = acceptedAfter(alone, t1 + 1000);
    process.stderr.write(`[rate split] one gateway left: accepted ${aloneAccepted} in 2 s\n`);
    expect(aloneAccepted).toBeGreaterThanOrEqual(RATE * 2 * 0.7);
    expect(aloneAccepted).toBeLessThanOrEqual(RATE * 2 * 1.4);
    expect(reporters).toBe(1);
  });
});
