import { Chart, Legend } from '../components/charts.js';
import { Empty, ErrorBox, Loading } from '../components/feedback.js';
import { bucketLabel, successRatio } from '../lib/chart.js';
import { formatCount, formatDuration, formatPercent } from '../lib/format.js';
import type { WebhookStats } from '../lib/types.js';
import { useAsync } from '../lib/use-async.js';
import { usePortal } from './context.js';

/** Success rate and latency per hour over the last 24 h: two SVG charts and the same numbers as a table. */
export function StatsPanel({ webhookId }: { webhookId: string }) {
  const { api } = usePortal();
  const stats = useAsync(() => api.get<WebhookStats>(`/v1/webhooks/${webhookId}/stats`, { hours: 24 }), [webhookId]);
  const s = stats.data;
  return (
    <section class="card" aria-labelledby="stats-title" data-testid="endpoint-stats">
      <div class="card-head">
        <h2 id="stats-title">Last 24 hours</h2>
        {s && (
          <p class="kpis">
            <span>
              <strong data-testid="stats-success-rate">{formatPercent(s.success_rate)}</strong> succeeded
            </span>
            <span>
              <strong>{formatCount(s.attempts)}</strong> attempts
            </span>
          </p>
        )}
      </div>
      {stats.loading && !s && <Loading label="Loading statistics…" />}
      <ErrorBox error={stats.error} />
      {s && s.attempts === 0 && (
        <Empty title="No attempts in the last 24 hours" testId="stats-empty">
          <p>Send a test event to see this endpoint's success rate and latency.</p>
        </Empty>
      )}
      {s && s.attempts > 0 && <StatsCharts stats={s} />}
    </section>
  );
}

function StatsCharts({ stats }: { stats: WebhookStats }) {
  const labels = stats.buckets.map((b) => bucketLabel(b.start, 'hour'));
  const rates = stats.buckets.map((b) => {
    const r = successRatio(b);
    return r == null ? null : r * 100;
  });
  const best = rates.filter((r): r is number => r != null);
  const worstHour = best.length ? Math.min(...best) : null;
  const p95 = stats.buckets.map((b) => b.p95_ms);
  const p95max = Math.max(0, ...p95.filter((v): v is number => v != null));
  return (
    <div class="charts">
      <figure>
        <figcaption>Attempts per hour</figcaption>
        <Chart
          label={`Attempts per hour over the last 24 hours: ${formatCount(stats.attempts)} in all, success rate ${formatPercent(stats.success_rate)}${worstHour != null ? `, lowest hourly success rate ${Math.round(worstHour)} %` : ''}.`}
          labels={labels}
          bars={{ name: 'succeeded', values: stats.buckets.map((b) => b.succeeded), tone: 'ok' }}
          stacked={{ name: 'failed', values: stats.buckets.map((b) => b.failed), tone: 'bad' }}
          format={(v) => formatCount(v)}
          integer
          testId="stats-chart-attempts"
        />
        <Legend
          items={[
            { name: 'succeeded', tone: 'ok' },
            { name: 'failed', tone: 'bad' },
          ]}
        />
      </figure>
      <figure>
        <figcaption>Latency per hour</figcaption>
        <Chart
          label={`Latency per hour over the last 24 hours: highest p95 ${formatDuration(p95max)}.`}
          labels={labels}
          lines={[
            { name: 'p50', values: stats.buckets.map((b) => b.p50_ms), tone: 'accent' },
            { name: 'p95', values: p95, tone: 'accent-2' },
          ]}
          format={(v) => formatDuration(v)}
          testId="stats-chart-latency"
        />
        <Legend
          items={[
            { name: 'median (p50)', tone: 'accent' },
            { name: 'p95', tone: 'accent-2' },
          ]}
        />
      </figure>
      <details>
        <summary>Show the numbers as a table</summary>
        <table class="table compact" data-testid="stats-table">
          <caption class="sr-only">Attempts, success rate and latency per hour</caption>
          <thead>
            <tr>
              <th scope="col">Hour</th>
              <th scope="col">Attempts</th>
              <th scope="col">Succeeded</th>
              <th scope="col">Failed</th>
              <th scope="col">Success rate</th>
              <th scope="col">p50</th>
              <th scope="col">p95</th>
            </tr>
          </thead>
          <tbody>
            {stats.buckets.map((b, i) => (
              <tr key={b.start}>
                <th scope="row">{labels[i]}</th>
                <td>{formatCount(b.attempts)}</td>
                <td>{formatCount(b.succeeded)}</td>
                <td>{formatCount(b.failed)}</td>
                <td>{formatPercent(successRatio(b))}</td>
                <td>{formatDuration(b.p50_ms)}</td>
                <td>{formatDuration(b.p95_ms)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </div>
  );
}
