import { useState } from 'preact/hooks';
import { Badge } from '../components/badge.js';
import { Dialog } from '../components/dialog.js';
import { Empty, ErrorBox, Loading, Notice } from '../components/feedback.js';
import { Field } from '../components/field.js';
import { Link } from '../components/link.js';
import { PageHeader } from '../components/shell.js';
import { formatDateTime, formatRelative } from '../lib/format.js';
import type { Page } from '../lib/types.js';
import { useAsync } from '../lib/use-async.js';
import { BASE, useConsole } from './context.js';
import { OnceSecret } from './once-secret.js';
import type { ApiKey, Tenant, TenantDetail } from './types.js';

const PAGE = 100;
const SCOPES = ['publish', 'read', 'manage'] as const;

/** Every tenant, and a form to create one (its first API key is shown once). */
export function TenantsPage() {
  const { api } = useConsole();
  const [start, setStart] = useState(0);
  const list = useAsync(() => api.get<Page<Tenant>>('/v1/tenants', { startIndex: start, count: PAGE }), [start]);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<{ id: string; name: string; api_key: string }>();
  const [error, setError] = useState<unknown>();
  const create = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setCreated(undefined);
    try {
      setCreated(await api.post('/v1/tenants', { name: name.trim() }));
      setName('');
      list.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section data-testid="tenants-view" aria-labelledby="tenants-title">
      <PageHeader title={<span id="tenants-title">Tenants</span>} sub="Who publishes events; each tenant authenticates with its API keys." />
      <form class="card form inline-form" onSubmit={create} data-testid="tenant-create-form">
        <Field label="New tenant name">
          <input type="text" value={name} onInput={(e) => setName(e.currentTarget.value)} required maxLength={200} />
        </Field>
        <button type="submit" class="button primary" disabled={name.trim() === ''}>
          Create tenant
        </button>
      </form>
      <ErrorBox error={error} />
      {created && (
        <OnceSecret testId="tenant-created-key" title={`Tenant “${created.name}” created`} secret={created.api_key}>
          Its API key is shown this once; hand it to the tenant over a safe channel.
        </OnceSecret>
      )}
      <ErrorBox error={list.error} />
      {list.loading && !list.data ? (
        <Loading label="Loading tenants…" />
      ) : list.data?.list.length === 0 ? (
        <Empty title="No tenants yet" />
      ) : (
        list.data && (
          <table class="table reflow">
            <caption class="sr-only">Tenants, oldest first</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Id</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {list.data.list.map((t) => (
                <tr key={t.id} data-testid="tenant-row" data-tenant-id={t.id}>
                  <td data-label="Name">
                    <Link href={`${BASE}/tenants/${t.id}`} class="strong-link">
                      {t.name}
                    </Link>
                  </td>
                  <td data-label="Status">{t.disabled_at ? <Badge tone="bad">disabled</Badge> : <Badge tone="ok">active</Badge>}</td>
                  <td data-label="Id" class="mono break">
                    {t.id}
                  </td>
                  <td data-label="Created">{formatRelative(t.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      )}
      {list.data && (start > 0 || list.data.links.next) && (
        <nav class="pager" aria-label="Pages">
          <button type="button" class="button small" disabled={start === 0} onClick={() => setStart(Math.max(0, start - PAGE))}>
            Previous
          </button>
          <button type="button" class="button small" disabled={!list.data.links.next} onClick={() => setStart(start + PAGE)}>
            Next
          </button>
        </nav>
      )}
    </section>
  );
}

/** One tenant: its API keys (create with scopes, revoke), disabling the tenant and enabling it again. */
export function TenantPage({ id }: { id: string }) {
  const { api } = useConsole();
  const tenant = useAsync(() => api.get<TenantDetail>(`/v1/tenants/${id}`), [id]);
  const keys = useAsync(() => api.get<{ list: ApiKey[] }>(`/v1/tenants/${id}/api-keys`), [id]);
  const [scopes, setScopes] = useState<string[]>([...SCOPES]);
  const [created, setCreated] = useState<ApiKey & { api_key: string }>();
  const [revoking, setRevoking] = useState<ApiKey>();
  const [disabling, setDisabling] = useState(false);
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  const run = async (fn: () => Promise<void>) => {
    setError(undefined);
    setNotice(undefined);
    try {
      await fn();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section data-testid="api-keys" aria-labelledby="tenant-title">
      <PageHeader
        back={{ href: `${BASE}/tenants`, label: 'All tenants' }}
        title={<span id="tenant-title">{tenant.data ? tenant.data.name : 'Tenant'}</span>}
        sub={
          <>
            {tenant.data && (
              <span data-testid="tenant-status">
                {tenant.data.disabled_at ? (
                  <Badge tone="bad">{`disabled ${formatRelative(tenant.data.disabled_at)}`}</Badge>
                ) : (
                  <Badge tone="ok">active</Badge>
                )}{' '}
              </span>
            )}
            <span class="mono break">{id}</span>
          </>
        }
        actions={
          tenant.data?.disabled_at ? (
            <button
              type="button"
              class="button primary"
              data-testid="tenant-enable"
              onClick={() =>
                run(async () => {
                  await api.post(`/v1/tenants/${id}/enable`);
                  setNotice('Tenant enabled: its API keys work again and its webhooks receive what is published from now on.');
                  tenant.reload();
                })
              }
            >
              Enable tenant
            </button>
          ) : (
            <button type="button" class="button danger" onClick={() => setDisabling(true)} disabled={!tenant.data} data-testid="tenant-disable">
              Disable tenant
            </button>
          )
        }
      />
      <ErrorBox error={tenant.error} />
      <ErrorBox error={error} />
      {notice && <Notice>{notice}</Notice>}
      <form
        class="card form"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            setCreated(await api.post(`/v1/tenants/${id}/api-keys`, { scopes }));
            keys.reload();
          });
        }}
      >
        <fieldset class="fieldset">
          <legend>New API key scopes</legend>
          <div class="actions">
            {SCOPES.map((s) => (
              <label key={s} class="check">
                <input
                  type="checkbox"
                  checked={scopes.includes(s)}
                  onChange={(e) => setScopes((cur) => (e.currentTarget.checked ? [...cur, s] : cur.filter((x) => x !== s)))}
                />
                <span>{s}</span>
              </label>
            ))}
          </div>
        </fieldset>
        <div>
          <button type="submit" class="button primary" disabled={scopes.length === 0 || Boolean(tenant.data?.disabled_at)} data-testid="api-key-create">
            Create API key
          </button>
          {tenant.data?.disabled_at && <span class="muted small"> A disabled tenant gets no new key: enable it first.</span>}
        </div>
      </form>
      {created && (
        <OnceSecret testId="api-key-created" title={`API key …${created.hint.slice(-4)} created`} secret={created.api_key}>
          Shown this once; stored only as a hash.
        </OnceSecret>
      )}
      <h2 class="section-title">API keys</h2>
      <ErrorBox error={keys.error} />
      {keys.loading && !keys.data ? (
        <Loading />
      ) : keys.data?.list.length === 0 ? (
        <Empty title="No API keys" />
      ) : (
        keys.data && (
          <table class="table reflow">
            <caption class="sr-only">API keys of this tenant</caption>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Scopes</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.data.list.map((k) => (
                <tr key={k.id} data-testid="api-key-row" data-key-id={k.id}>
                  <td data-label="Key" class="mono">
                    {k.hint}
                  </td>
                  <td data-label="Scopes">{k.scopes.join(', ')}</td>
                  <td data-label="Created">{formatDateTime(k.created_at)}</td>
                  <td data-label="Last used">{k.last_used_at ? formatRelative(k.last_used_at) : 'never'}</td>
                  <td data-label="Actions">
                    <div class="row-actions">
                      {k.revoked_at ? (
                        <Badge tone="muted">revoked</Badge>
                      ) : (
                        <button
                          type="button"
                          class="button small danger"
                          onClick={() => setRevoking(k)}
                          aria-label={`Revoke key ${k.hint}`}
                          data-testid="api-key-revoke"
                        >
                          Revoke
                        </button>
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      )}
      <Dialog open={revoking !== undefined} title="Revoke this API key?" onClose={() => setRevoking(undefined)}>
        <p>
          Key <span class="mono">{revoking?.hint}</span> answers 401 from now on, on every gateway.
        </p>
        <div class="form-actions">
          <button type="button" class="button" onClick={() => setRevoking(undefined)}>
            Cancel
          </button>
          <button
            type="button"
            class="button danger"
            data-testid="api-key-revoke-confirm"
            onClick={() =>
              run(async () => {
                const k = revoking;
                setRevoking(undefined);
                if (!k) return;
                await api.delete(`/v1/tenants/${id}/api-keys/${k.id}`);
                setNotice(`Key ${k.hint} revoked.`);
                keys.reload();
              })
            }
          >
            Revoke key
          </button>
        </div>
      </Dialog>
      <Dialog open={disabling} title="Disable this tenant?" onClose={() => setDisabling(false)}>
        <p>Its API keys stop working at once and its webhooks receive nothing more. Nothing is deleted, and it can be enabled again.</p>
        <div class="form-actions">
          <button type="button" class="button" onClick={() => setDisabling(false)}>
            Cancel
          </button>
          <button
            type="button"
            class="button danger"
            onClick={() =>
              run(async () => {
                setDisabling(false);
                await api.delete(`/v1/tenants/${id}`);
                setNotice('Tenant disabled.');
                tenant.reload();
              })
            }
          >
            Disable tenant
          </button>
        </div>
      </Dialog>
    </section>
  );
}
