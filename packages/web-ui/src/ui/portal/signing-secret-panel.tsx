import { useState } from 'preact/hooks';
import { Dialog } from '../components/dialog.js';
import { ErrorBox, Notice } from '../components/feedback.js';
import { Field } from '../components/field.js';
import { formatDateTime } from '../lib/format.js';
import type { SigningKey, Webhook } from '../lib/types.js';
import { usePortal } from './context.js';

const GRACE_CHOICES: [number, string][] = [
  [0, 'None: the old key stops at once'],
  [3600, '1 hour'],
  [86_400, '24 hours'],
  [604_800, '7 days'],
];

/**
 * The key receivers verify with. An HMAC secret is fetched and shown only on an explicit click
 * (and kept in this component's memory only); an Ed25519 public key is public and shown as is.
 */
export function SigningSecretPanel({ webhook, onRotated }: { webhook: Webhook; onRotated(): void }) {
  const { api, session } = usePortal();
  const [key, setKey] = useState<SigningKey>();
  const [shown, setShown] = useState(false);
  const [error, setError] = useState<unknown>();
  const [rotating, setRotating] = useState(false);
  const [grace, setGrace] = useState(86_400);
  const [rotatedUntil, setRotatedUntil] = useState<string | null>();

  const fetchKey = async () => {
    setError(undefined);
    try {
      const k = await api.get<SigningKey>(`/v1/webhooks/${webhook.id}/signing-secret`);
      setKey(k);
      setShown(true);
    } catch (err) {
      setError(err);
    }
  };
  const rotate = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      const k = await api.post<SigningKey>(`/v1/webhooks/${webhook.id}/signing-secret/rotate`, { grace_period_s: grace });
      setRotating(false);
      setShown(false);
      setKey(undefined);
      setRotatedUntil(k.previous_expires_at ?? null);
      onRotated();
    } catch (err) {
      setError(err);
    }
  };

  const ed25519 = webhook.signature_scheme === 'ed25519';
  return (
    <section class="card" aria-labelledby="signing-title" data-testid="signing-secret">
      <h2 id="signing-title">Signing {ed25519 ? 'key' : 'secret'}</h2>
      {!webhook.has_signing_secret ? (
        <p class="muted">Deliveries to this endpoint are not signed. Edit the endpoint to turn signing on.</p>
      ) : (
        <>
          <p class="small muted">
            {ed25519
              ? 'Verify the v1a signature of each delivery with this public key.'
              : 'Verify the v1 signature (webhook-signature header) of each delivery with this secret. Keep it secret.'}
          </p>
          {shown && key ? (
            <div class="secret">
              <code class="break" data-testid="signing-secret-value">
                {key.signing_secret ?? key.public_key}
              </code>
              {key.previous_public_key && (
                <p class="small">
                  Previous public key, valid until {formatDateTime(key.previous_expires_at)}: <code class="break">{key.previous_public_key}</code>
                </p>
              )}
              <button
                type="button"
                class="button small"
                onClick={() => {
                  setShown(false);
                  setKey(undefined);
                }}
              >
                Hide
              </button>
            </div>
          ) : (
            !session.read_only && (
              <button type="button" class="button" onClick={fetchKey} data-testid="signing-secret-reveal">
                {ed25519 ? 'Show public key' : 'Reveal secret'}
              </button>
            )
          )}
          {!session.read_only && (
            <button type="button" class="button" onClick={() => setRotating(true)} data-testid="signing-secret-rotate">
              Rotate…
            </button>
          )}
          {rotatedUntil !== undefined && (
            <Notice testId="signing-secret-rotated">
              Rotated.{' '}
              {rotatedUntil
                ? `The previous ${ed25519 ? 'key' : 'secret'} also signs until ${formatDateTime(rotatedUntil)}.`
                : 'The previous key no longer signs.'}
            </Notice>
          )}
        </>
      )}
      <ErrorBox error={error} />
      <Dialog open={rotating} title={`Rotate the signing ${ed25519 ? 'key' : 'secret'}`} onClose={() => setRotating(false)} testId="rotate-dialog">
        <form class="form" onSubmit={rotate}>
          <p>
            A new {ed25519 ? 'key' : 'secret'} signs every delivery from now on. During the grace period each delivery carries both signatures, so you can
            switch without losing any.
          </p>
          <Field label="Grace period">
            <select value={String(grace)} onChange={(e) => setGrace(Number(e.currentTarget.value))} data-testid="rotate-grace">
              {GRACE_CHOICES.map(([s, label]) => (
                <option key={s} value={String(s)}>
                  {label}
                </option>
              ))}
            </select>
          </Field>
          <div class="form-actions">
            <button type="button" class="button" onClick={() => setRotating(false)}>
              Cancel
            </button>
            <button type="submit" class="button primary" data-testid="rotate-confirm">
              Rotate now
            </button>
          </div>
        </form>
      </Dialog>
    </section>
  );
}
