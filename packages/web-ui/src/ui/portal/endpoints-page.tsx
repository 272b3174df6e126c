import { useState } from 'preact/hooks';
import { StatusBadge } from '../components/badge.js';
import { Empty, ErrorBox, Loading } from '../components/feedback.js';
import { Link } from '../components/link.js';
import { PageHeader } from '../components/shell.js';
import { formatRelative } from '../lib/format.js';
import { navigate } from '../lib/router.js';
import type { Page, Webhook } from '../lib/types.js';
import { useAsync } from '../lib/use-async.js';
import { endpointPath, usePortal } from './context.js';
import { EndpointFormDialog } from './endpoint-form.js';
import { endpointState, endpointUrl, subscribedTypes } from './endpoint-facts.js';

const PAGE = 50;

/** The endpoints this session may see, newest first as the API lists them, and "Add endpoint". */
export function EndpointsPage() {
  const { api, session } = usePortal();
  const [start, setStart] = useState(0);
  const [creating, setCreating] = useState(false);
  const list = useAsync(() => api.get<Page<Webhook>>('/v1/webhooks', { startIndex: start, count: PAGE }), [start]);
  return (
    <section data-testid="endpoints-list" aria-labelledby="endpoints-title">
      <PageHeader
        title={<span id="endpoints-title">Endpoints</span>}
        sub="Where we send your webhooks. Each endpoint receives the event types it subscribes to."
        actions={
          !session.read_only && (
            <button type="button" class="button primary" onClick={() => setCreating(true)} data-testid="endpoint-create-button">
              Add endpoint
            </button>
          )
        }
      />
      <ErrorBox error={list.error} />
      {list.loading && !list.data ? (
        <Loading label="Loading endpoints…" />
      ) : list.data && list.data.list.length === 0 && start === 0 ? (
        <Empty title="No endpoints yet" testId="endpoints-empty">
          <p>Add an endpoint to start receiving webhooks.</p>
        </Empty>
      ) : (
        list.data && (
          <>
            <table class="table reflow">
              <caption class="sr-only">Endpoints</caption>
              <thead>
                <tr>
                  <th scope="col">URL</th>
                  <th scope="col">Status</th>
                  <th scope="col">Event types</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {list.data.list.map((w) => (
                  <tr key={w.id} data-testid="endpoint-row" data-endpoint-id={w.id}>
                    <td data-label="URL">
                      <div>
                        <Link href={endpointPath(w.id)} class="strong-link">
                          <span class="url">{endpointUrl(w)}</span>
                        </Link>
                        {w.description && <div class="muted small">{w.description}</div>}
                      </div>
                    </td>
                    <td data-label="Status">
                      <StatusBadge status={endpointState(w)} />
                    </td>
                    <td data-label="Event types">{summarise(subscribedTypes(w))}</td>
                    <td data-label="Created">{formatRelative(w.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager start={start} size={PAGE} hasNext={Boolean(list.data.links.next)} onPage={setStart} />
          </>
        )
      )}
      <EndpointFormDialog
        open={creating}
        onClose={() => setCreating(false)}
        onSaved={(w) => {
          setCreating(false);
          navigate(endpointPath(w.id));
        }}
      />
    </section>
  );
}

function summarise(types: string[]): string {
  if (types.length === 0) return 'none';
  return types.length <= 3 ? types.join(', ') : `${types.slice(0, 3).join(', ')} and ${types.length - 3} more`;
}

export function Pager({ start, size, hasNext, onPage }: { start: number; size: number; hasNext: boolean; onPage(start: number): void }) {
  if (start === 0 && !hasNext) return null;
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" class="button small" disabled={start === 0} onClick={() => onPage(Math.max(0, start - size))}>
        Previous
      </button>
      <span class="muted">
        {start + 1}–{start + size}
      </span>
      <button type="button" class="button small" disabled={!hasNext} onClick={() => onPage(start + size)}>
        Next
      </button>
    </nav>
  );
}
