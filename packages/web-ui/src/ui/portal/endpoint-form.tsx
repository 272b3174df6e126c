import { useState } from 'preact/hooks';
import { Dialog } from '../components/dialog.js';
import { ErrorBox, Loading } from '../components/feedback.js';
import { Field } from '../components/field.js';
import { typesForChannel } from '../lib/catalogue.js';
import { CHANNELS, type Channel, type EventTypeEntry, type Webhook } from '../lib/types.js';
import { useAsync } from '../lib/use-async.js';
import { emptyForm, formFromWebhook, webhookRequest, type EndpointForm } from '../lib/webhook-form.js';
import { usePortal } from './context.js';
import { FilterPreview, TransformPreview } from './previews.js';

const CHANNEL_LABEL: Record<Channel, string> = { email: 'Email channel', 'in-app': 'In-app channel' };

/** Create an endpoint, or edit one (`existing`): every setting the API takes from a partner. */
export function EndpointFormDialog(props: { open: boolean; existing?: Webhook; onClose(): void; onSaved(w: Webhook): void }) {
  return (
    <Dialog open={props.open} title={props.existing ? 'Edit endpoint' : 'Add endpoint'} onClose={props.onClose} testId="endpoint-form" wide>
      <EndpointFormBody {...props} />
    </Dialog>
  );
}

function EndpointFormBody({ existing, onClose, onSaved }: { existing?: Webhook; onClose(): void; onSaved(w: Webhook): void }) {
  const { api, catalogue } = usePortal();
  const [form, setForm] = useState<EndpointForm>(() => (existing ? formFromWebhook(existing) : emptyForm()));
  const [error, setError] = useState<unknown>();
  const [saving, setSaving] = useState(false);
  const types = useAsync(catalogue, []);
  const set = <K extends keyof EndpointForm>(key: K, value: EndpointForm[K]) => setForm((f) => ({ ...f, [key]: value }));
  const toggleType = (channel: Channel, type: string, on: boolean) =>
    setForm((f) => ({ ...f, events: { ...f.events, [channel]: on ? [...f.events[channel], type] : f.events[channel].filter((t) => t !== type) } }));

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    let body: Record<string, unknown>;
    try {
      body = webhookRequest(form, existing);
    } catch (err) {
      setError(err);
      return;
    }
    setSaving(true);
    try {
      const saved = existing ? await api.put<Webhook>(`/v1/webhooks/${existing.id}`, body) : await api.post<Webhook>('/v1/webhooks', body);
      onSaved(saved);
    } catch (err) {
      setError(err);
    } finally {
      setSaving(false);
    }
  };

  return (
    <form class="form" onSubmit={submit} noValidate>
      <Field label="Endpoint URL" hint="We POST each event to this URL.">
        <input type="url" required value={form.url} onInput={(e) => set('url', e.currentTarget.value)} placeholder="https://example.com/webhooks" autoFocus />
      </Field>
      <Field label="Description" hint="Optional, for your own reference.">
        <input type="text" maxLength={1024} value={form.description} onInput={(e) => set('description', e.currentTarget.value)} />
      </Field>

      <div class="form-section">
        <h3>Event types</h3>
        {types.loading && !types.data && <Loading label="Loading the event catalogue…" />}
        <ErrorBox error={types.error} />
        {types.data && (
          <div class="channels">
            {CHANNELS.map((channel) => (
              <ChannelPicker key={channel} channel={channel} catalogue={types.data ?? []} chosen={form.events[channel]} onToggle={toggleType} />
            ))}
          </div>
        )}
      </div>

      <details
        class="form-section"
        open={Boolean(existing && (existing.filter || existing.transform || existing.ordering === 'fifo' || existing.rate_limit_per_s))}
      >
        <summary>Delivery options: filter, transform, ordering, rate limit, signing, authentication</summary>
        <div class="grid-2">
          <Field label="Rate limit (requests per second)" hint="Empty: no limit.">
            <input type="number" min="0" step="any" inputMode="decimal" value={form.rateLimit} onInput={(e) => set('rateLimit', e.currentTarget.value)} />
          </Field>
          <Field label="Retries before giving up" hint="0 to 10; empty: the default (5).">
            <input
              type="number"
              min="0"
              max="10"
              step="1"
              inputMode="numeric"
              value={form.retryMaxCount}
              onInput={(e) => set('retryMaxCount', e.currentTarget.value)}
            />
          </Field>
        </div>
        <label class="check">
          <input type="checkbox" checked={form.fifo} onChange={(e) => set('fifo', e.currentTarget.checked)} />
          <span>
            FIFO ordering <span class="hint">— events about the same subject arrive in publish order; a failure holds that subject only.</span>
          </span>
        </label>
        <fieldset class="fieldset">
          <legend>Signing</legend>
          <label class="check">
            <input type="checkbox" checked={form.signing} onChange={(e) => set('signing', e.currentTarget.checked)} />
            <span>Sign every delivery (Standard Webhooks webhook-signature header)</span>
          </label>
          {form.signing && (
            <Field label="Signature scheme">
              <select
                value={form.scheme}
                onChange={(e) => set('scheme', e.currentTarget.value as EndpointForm['scheme'])}
                disabled={Boolean(existing?.has_signing_secret)}
              >
                <option value="hmac-sha256">HMAC-SHA256 with a shared secret (v1)</option>
                <option value="ed25519">Ed25519, verified with a public key (v1a)</option>
              </select>
            </Field>
          )}
        </fieldset>
        <fieldset class="fieldset">
          <legend>Authentication of our calls</legend>
          <Field label="Authentication">
            <select value={form.authType} onChange={(e) => set('authType', e.currentTarget.value as EndpointForm['authType'])}>
              <option value="none">None (rely on the signature)</option>
              <option value="partner_secret_token">A static token in a header</option>
              {existing?.auth_type === 'client_secret_jwt' && <option value="client_secret_jwt">OAuth2 client_secret_jwt</option>}
            </select>
          </Field>
          {form.authType === 'partner_secret_token' && (
            <div class="grid-2">
              <Field label="Header name" hint="Empty: x-openweb-notification-event-webhook-token.">
                <input type="text" value={form.headerName} onInput={(e) => set('headerName', e.currentTarget.value)} autoComplete="off" />
              </Field>
              <Field label="Token" hint={existing ? 'Write-only: enter it again to change or keep it.' : 'Sent with every call; never shown again.'}>
                <input type="password" value={form.token} onInput={(e) => set('token', e.currentTarget.value)} autoComplete="new-password" />
              </Field>
            </div>
          )}
          {form.authType === 'client_secret_jwt' && (
            <Field label="Client secret" hint="Write-only: empty keeps a secret-store reference.">
              <input type="password" value={form.token} onInput={(e) => set('token', e.currentTarget.value)} autoComplete="new-password" />
            </Field>
          )}
        </fieldset>
        <Field
          label="Filter (JSON)"
          hint='Only events the filter accepts are delivered, e.g. {"data": {"comment": {"state": {"$in": ["approved"]}}}}. Empty: every subscribed event.'
        >
          <textarea class="mono" rows={4} value={form.filter} onInput={(e) => set('filter', e.currentTarget.value)} spellcheck={false} />
        </Field>
        {existing && <FilterPreview webhookId={existing.id} filterText={form.filter} />}
        <Field
          label="Transform (JSONata)"
          hint='Turns {id, type, source, subject, time, data} into the body you receive, e.g. {"text": data.comment.text}. Empty: the event as is.'
        >
          <textarea class="mono" rows={4} value={form.transform} onInput={(e) => set('transform', e.currentTarget.value)} spellcheck={false} />
        </Field>
        {existing ? (
          <TransformPreview webhookId={existing.id} transform={form.transform} />
        ) : (
          <p class="hint">Save the endpoint to preview its filter and transform on example events.</p>
        )}
      </details>

      <ErrorBox error={error} testId="endpoint-form-error" />
      <div class="form-actions">
        <button type="button" class="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" class="button primary" disabled={saving} data-testid="endpoint-form-submit">
          {saving ? 'Saving…' : existing ? 'Save changes' : 'Create endpoint'}
        </button>
      </div>
    </form>
  );
}

function ChannelPicker(props: {
  channel: Channel;
  catalogue: EventTypeEntry[];
  chosen: string[];
  onToggle(channel: Channel, type: string, on: boolean): void;
}) {
  const types = typesForChannel(props.catalogue, props.channel);
  // A chosen type the catalogue does not list (an alias) stays visible, so saving does not drop it.
  const all = [...types, ...props.chosen.filter((t) => !types.includes(t))];
  return (
    <fieldset class="fieldset channel">
      <legend>{CHANNEL_LABEL[props.channel]}</legend>
      {all.length === 0 ? (
        <p class="hint">No event types on this channel.</p>
      ) : (
        <ul class="checks">
          {all.map((t) => (
            <li key={t}>
              <label class="check">
                <input
                  type="checkbox"
                  aria-label={`${t} (${props.channel})`}
                  checked={props.chosen.includes(t)}
                  onChange={(e) => props.onToggle(props.channel, t, e.currentTarget.checked)}
                />
                <span class="mono">{t}</span>
              </label>
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}
