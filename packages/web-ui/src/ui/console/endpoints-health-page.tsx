import { useState } from 'preact/hooks';
import { StatusBadge } from '../components/badge.js';
import { Empty, ErrorBox, Loading, Notice } from '../components/feedback.js';
import { PageHeader } from '../components/shell.js';
import { formatRelative, shortId } from '../lib/format.js';
import { useAsync } from '../lib/use-async.js';
import { useConsole } from './context.js';
import type { AdminWebhook } from './types.js';

/** Webhooks marked buggy, or disabled, across tenants; re-enabling replays what a buggy one skipped. */
export function EndpointsHealthPage() {
  const { api } = useConsole();
  const [state, setState] = useState<'buggy' | 'disabled'>('buggy');
  const list = useAsync(() => api.get<{ data: AdminWebhook[] }>('/v1/admin/webhooks', { state }), [state]);
  const [done, setDone] = useState<string>();
  const [error, setError] = useState<unknown>();
  const enable = async (w: AdminWebhook) => {
    setError(undefined);
    setDone(undefined);
    try {
      const r = await api.put<{ recovered_deliveries?: number }>(`/v1/admin/webhooks/${w.id}/enable`);
      setDone(`Webhook ${shortId(w.id)} enabled${r.recovered_deliveries ? `; ${r.recovered_deliveries} skipped deliveries queued again` : ''}.`);
      list.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section data-testid="endpoints-health-view" aria-labelledby="eh-title">
      <PageHeader
        title={<span id="eh-title">Endpoints needing attention</span>}
        sub="Buggy endpoints receive nothing until re-enabled; disabled ones were switched off by their owner or by hookstream."
      />
      <div class="segmented" role="group" aria-label="Which endpoints">
        {(['buggy', 'disabled'] as const).map((s) => (
          <button key={s} type="button" class={state === s ? 'button small selected' : 'button small'} aria-pressed={state === s} onClick={() => setState(s)}>
            {s === 'buggy' ? 'Buggy' : 'Disabled'}
          </button>
        ))}
      </div>
      <ErrorBox error={list.error ?? error} />
      {done && <Notice testId="endpoint-reenabled">{done}</Notice>}
      {list.loading && !list.data ? (
        <Loading />
      ) : list.data?.data.length === 0 ? (
        <Empty title={state === 'buggy' ? 'No buggy endpoint' : 'No disabled endpoint'} />
      ) : (
        list.data && (
          <table class="table reflow">
            <caption class="sr-only">{state} endpoints</caption>
            <thead>
              <tr>
                <th scope="col">Endpoint</th>
                <th scope="col">Tenant</th>
                <th scope="col">State</th>
                <th scope="col">Since</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.data.map((w) => (
                <tr key={w.id} data-testid="endpoint-health-row" data-webhook-id={w.id}>
                  <td data-label="Endpoint">
                    <div>
                      <span class="url">{w.endpoint ?? w.callback ?? '—'}</span>
                      <div class="muted small mono">{w.id}</div>
                    </div>
                  </td>
                  <td data-label="Tenant" class="mono">
                    {shortId(w.tenant_id)}
                  </td>
                  <td data-label="State">
                    <div>
                      <StatusBadge status={w.buggy ? 'buggy' : w.state} />
                      {w.disabled_reason && <div class="muted small">reason: {w.disabled_reason}</div>}
                      {w.consecutive_failures ? <div class="muted small">{w.consecutive_failures} failures in a row</div> : null}
                    </div>
                  </td>
                  <td data-label="Since">
                    {w.marked_buggy_at ? formatRelative(w.marked_buggy_at) : typeof w.updated_at === 'string' ? formatRelative(w.updated_at) : '—'}
                  </td>
                  <td data-label="Actions">
                    <div class="row-actions">
                      <button
                        type="button"
                        class="button small primary"
                        onClick={() => enable(w)}
                        data-testid="endpoint-reenable"
                        aria-label={`Re-enable webhook ${shortId(w.id)}`}
                      >
                        Re-enable
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      )}
    </section>
  );
}
