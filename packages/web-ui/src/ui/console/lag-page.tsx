import { Empty, ErrorBox, Loading } from '../components/feedback.js';
import { PageHeader } from '../components/shell.js';
import { formatCount } from '../lib/format.js';
import { useAsync, useInterval } from '../lib/use-async.js';
import { useConsole } from './context.js';
import type { LagRow } from './types.js';

/** Consumer lag per group and partition (the CLI's `lag`), refreshed every 5 s. */
export function LagPage() {
  const { api } = useConsole();
  const lag = useAsync(() => api.get<{ data: LagRow[] }>('/v1/admin/consumer-lag'), []);
  useInterval(lag.reload, 5000, true);
  const groups = new Map<string, number>();
  for (const r of lag.data?.data ?? []) groups.set(r.group, (groups.get(r.group) ?? 0) + Number(r.lag));
  return (
    <section data-testid="consumer-lag-view" aria-labelledby="lag-title">
      <PageHeader
        title={<span id="lag-title">Consumer lag</span>}
        sub="Records each consumer group has yet to read, per partition. Refreshed every 5 seconds."
      />
      <ErrorBox error={lag.error} />
      {lag.loading && !lag.data ? (
        <Loading />
      ) : lag.data?.data.length === 0 ? (
        <Empty title="No consumer group yet" />
      ) : (
        lag.data && (
          <>
            <ul class="kpi-cards" aria-label="Total lag per group">
              {[...groups.entries()].map(([g, total]) => (
                <li key={g} class="card">
                  <div class="muted small mono break">{g}</div>
                  <strong class="kpi">{formatCount(total)}</strong>
                </li>
              ))}
            </ul>
            <table class="table reflow">
              <caption class="sr-only">Lag per group, topic and partition</caption>
              <thead>
                <tr>
                  <th scope="col">Group</th>
                  <th scope="col">Topic</th>
                  <th scope="col">Partition</th>
                  <th scope="col">Committed offset</th>
                  <th scope="col">High watermark</th>
                  <th scope="col">Lag</th>
                </tr>
              </thead>
              <tbody>
                {lag.data.data.map((r) => (
                  <tr key={`${r.group}/${r.topic}/${r.partition}`} data-testid="lag-row">
                    <td data-label="Group" class="mono break">
                      {r.group}
                    </td>
                    <td data-label="Topic" class="mono break">
                      {r.topic}
                    </td>
                    <td data-label="Partition">{r.partition}</td>
                    <td data-label="Committed offset">{String(r.offset)}</td>
                    <td data-label="High watermark">{String(r.high_watermark)}</td>
                    <td data-label="Lag">
                      <strong>{formatCount(Number(r.lag))}</strong>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )
      )}
    </section>
  );
}
