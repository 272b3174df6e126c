import { useState } from 'preact/hooks';
import { HttpStatus, StatusBadge } from '../components/badge.js';
import { Empty, ErrorBox, Loading, Notice } from '../components/feedback.js';
import { Field } from '../components/field.js';
import { formatDateTime, formatRelative, localInputToIso, shortId } from '../lib/format.js';
import type { Delivery, Page } from '../lib/types.js';
import { useAsync, useInterval } from '../lib/use-async.js';
import { usePortal } from './context.js';
import { DeliveryDetailDialog } from './delivery-detail.js';
import { Pager } from './endpoints-page.js';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'retrying', 'discarded', 'skipped'] as const;
const RETRYABLE = new Set(['discarded', 'skipped', 'failed', 'dead_lettered']);
const PAGE = 25;

/**
 * A webhook's deliveries, newest first, filtered by status, event type and time; refreshed every
 * few seconds while "Live" is on, so a test event's delivery shows up without a reload.
 */
export function DeliveryLog({ webhookId, refreshKey }: { webhookId: string; refreshKey: number }) {
  const { api, catalogue, session } = usePortal();
  const [status, setStatus] = useState('');
  const [type, setType] = useState('');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [start, setStart] = useState(0);
  const [live, setLive] = useState(true);
  const [open, setOpen] = useState<string>();
  const [retried, setRetried] = useState<string>();
  const [retryError, setRetryError] = useState<unknown>();
  const types = useAsync(catalogue, []);
  const query = { status, event_type: type, since: localInputToIso(since), until: localInputToIso(until), startIndex: start, count: PAGE };
  const list = useAsync(
    () => api.get<Page<Delivery>>(`/v1/webhooks/${webhookId}/deliveries`, query),
    [webhookId, status, type, since, until, start, refreshKey],
  );
  useInterval(list.reload, 3000, live && !open);

  const retry = async (id: string) => {
    setRetried(undefined);
    setRetryError(undefined);
    try {
      await api.post(`/v1/deliveries/${id}/retry`);
      setRetried(id);
      list.reload();
    } catch (err) {
      setRetryError(err);
    }
  };
  const filtered = Boolean(status || type || since || until);

  return (
    <section class="card" data-testid="delivery-log" aria-labelledby="delivery-log-title">
      <div class="card-head">
        <h2 id="delivery-log-title">Delivery log</h2>
        <div class="actions">
          <label class="check small">
            <input type="checkbox" checked={live} onChange={(e) => setLive(e.currentTarget.checked)} />
            <span>Live</span>
          </label>
          <button type="button" class="button small" onClick={list.reload}>
            Refresh
          </button>
        </div>
      </div>
      <form class="filters" role="search" aria-label="Filter deliveries" onSubmit={(e) => e.preventDefault()}>
        <Field label="Status">
          <select value={status} onChange={(e) => (setStatus(e.currentTarget.value), setStart(0))} data-testid="delivery-filter-status">
            <option value="">Any status</option>
            {DELIVERY_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Event type">
          <select value={type} onChange={(e) => (setType(e.currentTarget.value), setStart(0))} data-testid="delivery-filter-type">
            <option value="">Any type</option>
            {(types.data ?? []).map((t) => (
              <option key={t.type} value={t.type}>
                {t.type}
              </option>
            ))}
          </select>
        </Field>
        <Field label="From">
          <input type="datetime-local" value={since} onChange={(e) => (setSince(e.currentTarget.value), setStart(0))} data-testid="delivery-filter-since" />
        </Field>
        <Field label="Until">
          <input type="datetime-local" value={until} onChange={(e) => (setUntil(e.currentTarget.value), setStart(0))} data-testid="delivery-filter-until" />
        </Field>
        {filtered && (
          <button
            type="button"
            class="button ghost small align-end"
            onClick={() => {
              setStatus('');
              setType('');
              setSince('');
              setUntil('');
              setStart(0);
            }}
          >
            Clear filters
          </button>
        )}
      </form>
      <ErrorBox error={list.error} />
      <ErrorBox error={retryError} />
      {retried && <Notice testId="delivery-retried">Delivery {shortId(retried)} queued again.</Notice>}
      {list.loading && !list.data ? (
        <Loading label="Loading deliveries…" />
      ) : list.data && list.data.list.length === 0 ? (
        <Empty title={filtered ? 'No delivery matches these filters' : 'No deliveries yet'} testId="delivery-log-empty">
          {!filtered && <p>Send a test event to see one arrive.</p>}
        </Empty>
      ) : (
        list.data && (
          <>
            <table class="table reflow">
              <caption class="sr-only">Deliveries, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">Status</th>
                  <th scope="col">Last response</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.data.list.map((d) => (
                  <tr key={d.id} data-testid="delivery-row" data-delivery-id={d.id} data-status={d.status} data-event-type={d.event_type}>
                    <td data-label="Event">
                      <div>
                        <span class="mono">{d.event_type}</span>
                        <div class="muted small mono" title={d.event_id}>
                          {shortId(d.event_id)}
                        </div>
                      </div>
                    </td>
                    <td data-label="Status">
                      <StatusBadge status={d.status} />
                    </td>
                    <td data-label="Last response">
                      <div>
                        {d.attempts > 0 ? <HttpStatus code={d.last_status_code} /> : <span class="muted">—</span>}
                        {d.last_error && <div class="muted small clip">{d.last_error}</div>}
                      </div>
                    </td>
                    <td data-label="Attempts">{d.attempts}</td>
                    <td data-label="Created">
                      <time dateTime={d.created_at} title={formatDateTime(d.created_at)}>
                        {formatRelative(d.created_at)}
                      </time>
                    </td>
                    <td data-label="Actions">
                      <div class="row-actions">
                        <button
                          type="button"
                          class="button small"
                          onClick={() => setOpen(d.id)}
                          aria-label={`Details of delivery ${shortId(d.id)}`}
                          data-testid="delivery-open"
                        >
                          Details
                        </button>
                        {!session.read_only && RETRYABLE.has(d.status) && (
                          <button
                            type="button"
                            class="button small"
                            onClick={() => retry(d.id)}
                            aria-label={`Retry delivery ${shortId(d.id)}`}
                            data-testid="delivery-retry"
                          >
                            Retry
                          </button>
                        )}
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager start={start} size={PAGE} hasNext={Boolean(list.data.links.next)} onPage={setStart} />
          </>
        )
      )}
      <DeliveryDetailDialog
        id={open}
        onClose={() => setOpen(undefined)}
        onRetried={(id) => {
          setRetried(id);
          list.reload();
        }}
      />
    </section>
  );
}
