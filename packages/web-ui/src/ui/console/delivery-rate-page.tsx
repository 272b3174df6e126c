import { Chart, Legend } from '../components/charts.js';
import { ErrorBox, Loading } from '../components/feedback.js';
import { PageHeader } from '../components/shell.js';
import { bucketLabel } from '../lib/chart.js';
import { formatCount } from '../lib/format.js';
import { useAsync, useInterval } from '../lib/use-async.js';
import { useConsole } from './context.js';
import type { RateBucket } from './types.js';

/** Delivered and failed attempts per minute over the last hour: an SVG chart and the same numbers as a table. */
export function DeliveryRatePage() {
  const { api } = useConsole();
  const rate = useAsync(() => api.get<{ buckets: RateBucket[] }>('/v1/admin/delivery-rate', { minutes: 60 }), []);
  useInterval(rate.reload, 15_000, true);
  const buckets = rate.data?.buckets ?? [];
  const delivered = buckets.reduce((n, b) => n + b.delivered, 0);
  const failed = buckets.reduce((n, b) => n + b.failed, 0);
  const peak = buckets.reduce((m, b) => Math.max(m, b.delivered + b.failed), 0);
  return (
    <section data-testid="delivery-rate-view" aria-labelledby="rate-title">
      <PageHeader title={<span id="rate-title">Delivery rate</span>} sub="Attempts per minute over the last hour, every webhook. Refreshed every 15 seconds." />
      <ErrorBox error={rate.error} />
      {rate.loading && !rate.data && <Loading />}
      {rate.data && (
        <div class="card">
          <p class="kpis">
            <span>
              <strong>{formatCount(delivered)}</strong> delivered
            </span>
            <span>
              <strong>{formatCount(failed)}</strong> failed
            </span>
            <span>
              peak <strong>{formatCount(peak)}</strong>/min
            </span>
          </p>
          <Chart
            label={`Attempts per minute over the last hour: ${formatCount(delivered)} delivered, ${formatCount(failed)} failed, at most ${formatCount(peak)} in one minute.`}
            labels={buckets.map((b) => bucketLabel(b.start, 'minute'))}
            bars={{ name: 'delivered', values: buckets.map((b) => b.delivered), tone: 'ok' }}
            stacked={{ name: 'failed', values: buckets.map((b) => b.failed), tone: 'bad' }}
            format={(v) => formatCount(v)}
            integer
            height={240}
            testId="delivery-rate-chart"
          />
          <Legend
            items={[
              { name: 'delivered', tone: 'ok' },
              { name: 'failed', tone: 'bad' },
            ]}
          />
          <details>
            <summary>Show the numbers as a table</summary>
            <table class="table compact">
              <caption class="sr-only">Attempts per minute</caption>
              <thead>
                <tr>
                  <th scope="col">Minute</th>
                  <th scope="col">Delivered</th>
                  <th scope="col">Failed</th>
                </tr>
              </thead>
              <tbody>
                {buckets.map((b) => (
                  <tr key={b.start}>
                    <th scope="row">{bucketLabel(b.start, 'minute')}</th>
                    <td>{formatCount(b.delivered)}</td>
                    <td>{formatCount(b.failed)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </div>
      )}
    </section>
  );
}
