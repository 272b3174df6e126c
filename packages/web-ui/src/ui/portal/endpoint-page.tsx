import { useState } from 'preact/hooks';
import { StatusBadge } from '../components/badge.js';
import { Dialog } from '../components/dialog.js';
import { ErrorBox, Loading, Notice } from '../components/feedback.js';
import { PageHeader } from '../components/shell.js';
import { formatDateTime } from '../lib/format.js';
import { navigate } from '../lib/router.js';
import { CHANNELS, type Webhook } from '../lib/types.js';
import { useAsync } from '../lib/use-async.js';
import { BASE, usePortal } from './context.js';
import { DeliveryLog } from './delivery-log.js';
import { endpointState, endpointUrl } from './endpoint-facts.js';
import { EndpointFormDialog } from './endpoint-form.js';
import { RecoverPanel } from './recover-panel.js';
import { SigningSecretPanel } from './signing-secret-panel.js';
import { StatsPanel } from './stats-panel.js';
import { TestEventPanel } from './test-event-panel.js';

/** One endpoint: its settings and actions, health over 24 h, signing key, test events and its delivery log. */
export function EndpointPage({ id }: { id: string }) {
  const { api, session } = usePortal();
  const w = useAsync(() => api.get<Webhook>(`/v1/webhooks/${id}`), [id]);
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  const [logKey, setLogKey] = useState(0);

  if (w.loading && !w.data) return <Loading label="Loading the endpoint…" />;
  if (!w.data)
    return (
      <>
        <PageHeader title="Endpoint" back={{ href: `${BASE}/`, label: 'All endpoints' }} />
        <ErrorBox error={w.error} />
      </>
    );
  const hook = w.data;
  const state = endpointState(hook);
  const act = async (fn: () => Promise<unknown>, done: string) => {
    setError(undefined);
    setNotice(undefined);
    try {
      await fn();
      setNotice(done);
      w.reload();
    } catch (err) {
      setError(err);
    }
  };
  const enable = () =>
    act(async () => {
      const r = await api.put<{ recovered_deliveries?: number }>(`/v1/webhooks/${id}/enable`);
      if (r.recovered_deliveries) setLogKey((k) => k + 1);
    }, 'Endpoint enabled.');
  const disable = () => act(() => api.put(`/v1/webhooks/${id}`, { enabled: false }), 'Endpoint disabled: deliveries wait until you enable it again.');

  return (
    <div data-testid="endpoint-detail" data-endpoint-id={id}>
      <PageHeader
        back={{ href: `${BASE}/`, label: 'All endpoints' }}
        title={<span class="url">{endpointUrl(hook)}</span>}
        sub={
          <>
            <StatusBadge status={state} /> {hook.description && <span>{hook.description}</span>}
          </>
        }
        actions={
          !session.read_only && (
            <>
              {state === 'enabled' ? (
                <button type="button" class="button" onClick={disable} data-testid="endpoint-disable">
                  Disable
                </button>
              ) : (
                <button type="button" class="button" onClick={enable} data-testid="endpoint-enable">
                  Enable
                </button>
              )}
              <button type="button" class="button" onClick={() => setEditing(true)} data-testid="endpoint-edit">
                Edit
              </button>
              <button type="button" class="button danger" onClick={() => setDeleting(true)} data-testid="endpoint-delete">
                Delete
              </button>
            </>
          )
        }
      />
      {state === 'buggy' && (
        <Notice tone="warn">
          Deliveries stopped after repeated failures{hook.marked_buggy_at ? ` (${formatDateTime(hook.marked_buggy_at)})` : ''}. Fix the endpoint, then enable
          it: what was skipped meanwhile is sent again, in order.
        </Notice>
      )}
      {hook.disabled_reason === 'gone' && <Notice tone="warn">Disabled because the endpoint answered 410 Gone.</Notice>}
      <ErrorBox error={error} />
      {notice && <Notice testId="endpoint-notice">{notice}</Notice>}

      <div class="grid-main">
        <div class="stack">
          <StatsPanel webhookId={id} />
          <DeliveryLog webhookId={id} refreshKey={logKey} />
        </div>
        <aside class="stack" aria-label="Endpoint settings and tools">
          <Settings hook={hook} />
          {!session.read_only && <TestEventPanel webhook={hook} onSent={() => setLogKey((k) => k + 1)} />}
          <SigningSecretPanel webhook={hook} onRotated={w.reload} />
          {!session.read_only && <RecoverPanel webhookId={id} onRecovered={() => setLogKey((k) => k + 1)} />}
        </aside>
      </div>

      <EndpointFormDialog
        open={editing}
        existing={hook}
        onClose={() => setEditing(false)}
        onSaved={() => {
          setEditing(false);
          setNotice('Endpoint saved.');
          w.reload();
        }}
      />
      <Dialog open={deleting} title="Delete this endpoint?" onClose={() => setDeleting(false)} testId="endpoint-delete-dialog">
        <p>
          <span class="url">{endpointUrl(hook)}</span> stops receiving events at once. Its delivery history stays readable for the retention period.
        </p>
        <div class="form-actions">
          <button type="button" class="button" onClick={() => setDeleting(false)}>
            Cancel
          </button>
          <button
            type="button"
            class="button danger"
            data-testid="endpoint-delete-confirm"
            onClick={async () => {
              try {
                await api.delete(`/v1/webhooks/${id}`);
                navigate(`${BASE}/`);
              } catch (err) {
                setDeleting(false);
                setError(err);
              }
            }}
          >
            Delete endpoint
          </button>
        </div>
      </Dialog>
    </div>
  );
}

function Settings({ hook }: { hook: Webhook }) {
  return (
    <section class="card" aria-labelledby="settings-title" data-testid="endpoint-settings">
      <h2 id="settings-title">Settings</h2>
      <dl class="facts one-col">
        {hook.registered_events ? (
          CHANNELS.map((c) => (
            <div key={c}>
              <dt>{c === 'email' ? 'Email channel' : 'In-app channel'}</dt>
              <dd>
                {hook.registered_events?.[c]?.length ? <span class="mono">{hook.registered_events[c]?.join(', ')}</span> : <span class="muted">no types</span>}
              </dd>
            </div>
          ))
        ) : (
          <div>
            <dt>Events</dt>
            <dd class="mono">{hook.events ?? 'all'}</dd>
          </div>
        )}
        <div>
          <dt>Ordering</dt>
          <dd>{hook.ordering === 'fifo' ? 'FIFO per subject' : 'Unordered (fastest)'}</dd>
        </div>
        <div>
          <dt>Rate limit</dt>
          <dd>{hook.rate_limit_per_s ? `${hook.rate_limit_per_s} requests/s` : 'none'}</dd>
        </div>
        <div>
          <dt>Filter</dt>
          <dd>{hook.filter ? <code class="break">{JSON.stringify(hook.filter)}</code> : <span class="muted">none</span>}</dd>
        </div>
        <div>
          <dt>Transform</dt>
          <dd>{hook.transform ? <code class="break">{hook.transform}</code> : <span class="muted">none</span>}</dd>
        </div>
        <div>
          <dt>Authentication</dt>
          <dd>{hook.auth_type && hook.auth_type !== 'none' ? hook.auth_type.replace(/_/g, ' ') : 'none'}</dd>
        </div>
        <div>
          <dt>Id</dt>
          <dd class="mono break">{hook.id}</dd>
        </div>
      </dl>
    </section>
  );
}
