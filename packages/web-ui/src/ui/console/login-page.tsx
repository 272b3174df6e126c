import { useState } from 'preact/hooks';
import { ErrorBox, Notice } from '../components/feedback.js';
import { Field } from '../components/field.js';
import { SignedOutPage } from '../components/session-gate.js';
import type { ApiClient } from '../lib/api.js';

/**
 * The console's sign-in: the admin token is sent once, in the Authorization header of
 * `POST /v1/console/sessions`, and never stored; the session URL answered signs the page in.
 */
export function LoginPage({ api, reason, onSession }: { api: ApiClient; reason: 'none' | 'refused' | 'ended'; onSession(url: string): void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setBusy(true);
    try {
      const r = await api.post<{ url: string }>('/v1/console/sessions', {}, { headers: { authorization: `Bearer ${token.trim()}` }, expect401: true });
      setToken('');
      onSession(r.url);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <SignedOutPage title="Operator console" testId="console-login">
      {reason === 'ended' && <Notice tone="info">Your session has ended. Sign in again.</Notice>}
      {reason === 'refused' && <Notice tone="warn">That console link has expired or was already used. Sign in with the admin token.</Notice>}
      <form class="form" onSubmit={submit}>
        <Field label="Admin token" hint="HOOKSTREAM_ADMIN_TOKEN, printed by npm start. Sent once to open a session, never stored by this page.">
          <input type="password" value={token} onInput={(e) => setToken(e.currentTarget.value)} autoComplete="off" required data-testid="console-login-token" />
        </Field>
        <ErrorBox error={error} />
        <button type="submit" class="button primary" disabled={busy || token.trim() === ''} data-testid="console-login-submit">
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </SignedOutPage>
  );
}
