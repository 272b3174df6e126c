import { metric } from '@hookstream/test-kit';

export { metric };

/** Readiness of an app process: true when /readyz answers 200. */
export async function isReady(baseUrl: string): Promise<boolean> {
  try {
    const r = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(3000) });
    await r.text();
    return r.status === 200;
  } catch {
    return false;
  }
}

/** Watches readiness and a metric of some processes at a steady pace until stopped. */
export function watchProcesses(targets: Record<string, () => string>, metricName: string, everyMs = 500) {
  const seen: Record<string, { notReady: number; ready: number; maxMetric: number }> = {};
  for (const k of Object.keys(targets)) seen[k] = { notReady: 0, ready: 0, maxMetric: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      await Promise.all(
        Object.entries(targets).map(async ([k, url]) => {
          const [ready, m] = await Promise.all([isReady(url()), metric(url(), metricName)]);
          const s = seen[k]!;
          if (ready) s.ready++;
          else s.notReady++;
          if (m !== undefined) s.maxMetric = Math.max(s.maxMetric, m);
        }),
      );
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    seen,
    async stop() {
      running = false;
      await loop;
      return seen;
    },
  };
}

/** Fraction of a histogram's observations at or below each bucket bound, from /metrics text. */
export async function histogramShares(baseUrl: string, name: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const buckets = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = new RegExp(`^${name}_bucket\\{.*le="([^"]+)".*\\} (\\S+)$`).exec(line);
    if (m) buckets.set(m[1]!, (buckets.get(m[1]!) ?? 0) + Number(m[2]));
  }
  const total = buckets.get('+Inf') ?? 0;
  return Object.fromEntries([...buckets].map(([le, n]) => [`le_${le}s`, total ? Math.round((n / total) * 1000) / 1000 : 0]));
}
