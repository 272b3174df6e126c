import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../dist/schemas/validation-bench.js', import.meta.url));

describe('validation bench', () => {
  it('prints validation throughput (needs `npm run build` first)', () => {
    if (!existsSync(script)) throw new Error(`${script} is missing: run npm run build before npm test`);
    const output = execFileSync(process.execPath, [script, '--ms=30'], { encoding: 'utf8' });
    expect(output).toMatch(/validateEvent\(replied-message envelope \+ data\)\s+[\d,]+ validations\/s/);
    expect(output).toMatch(/normalizeWebhookRequest\(client_secret_jwt example\)\s+[\d,]+ validations\/s/);

    const json = JSON.parse(execFileSync(process.execPath, [script, '--ms=30', '--json'], { encoding: 'utf8' })) as {
      results: Array<{ name: string; ops_per_s: number }>;
    };
    expect(json.results.length).toBeGreaterThanOrEqual(2);
    for (const r of json.results) expect(r.ops_per_s).toBeGreaterThan(0);
  });
});
