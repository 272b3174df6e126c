import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { ApiClient } from '../lib/api.js';
import { SessionLinkRefused, startSession, type Session } from '../lib/session.js';
import { ErrorBox, Loading } from './feedback.js';

type State =
  | { phase: 'starting' }
  | { phase: 'ready'; session: Session }
  | { phase: 'none' }
  | { phase: 'refused' }
  | { phase: 'ended' }
  | { phase: 'failed'; error: unknown };

/**
 * Starts the session before anything else renders, and shows why there is none: a refused link
 * (expired or already used), no session at all, a session that ended while the page was open.
 */
export function SessionGate(props: {
  api: ApiClient;
  kind: Session['kind'];
  children(session: Session, logout: () => void): ComponentChildren;
  /**
   * What to show without a session. `signInWith(url)` opens a session URL the page obtained itself
   * (the console's sign-in form): on this very page it is exchanged in place, since a URL that
   * differs only by its fragment would not load the page again.
   */
  signedOut(reason: 'none' | 'refused' | 'ended', signInWith: (url: string) => void): ComponentChildren;
}) {
  const [state, setState] = useState<State>({ phase: 'starting' });
  const start = () => {
    props.api.onUnauthorized = () => setState({ phase: 'ended' });
    startSession(props.api, { location, history }).then(
      (session) => {
        if (!session) setState({ phase: 'none' });
        // A console cookie opening the portal (or the reverse) is not a session for this page.
        else if (session.kind !== props.kind) setState({ phase: 'none' });
        else setState({ phase: 'ready', session });
      },
      (error: unknown) => setState(error instanceof SessionLinkRefused ? { phase: 'refused' } : { phase: 'failed', error }),
    );
  };
  useEffect(start, []);
  const signInWith = (url: string) => {
    const target = new URL(url, location.href);
    if (target.origin !== location.origin || target.pathname !== location.pathname) {
      location.assign(target.href);
      return;
    }
    history.replaceState(null, '', target.pathname + target.search + target.hash);
    setState({ phase: 'starting' });
    start();
  };
  const logout = () => {
    props.api.delete('/v1/sessions/current').then(
      () => setState({ phase: 'ended' }),
      () => setState({ phase: 'ended' }),
    );
    props.api.setCsrfToken(undefined);
  };
  switch (state.phase) {
    case 'starting':
      return (
        <div class="center-page">
          <Loading label="Opening your session…" />
        </div>
      );
    case 'ready':
      return <>{props.children(state.session, logout)}</>;
    case 'failed':
      return (
        <div class="center-page">
          <ErrorBox error={state.error} />
        </div>
      );
    default:
      return <>{props.signedOut(state.phase, signInWith)}</>;
  }
}

/** The message page shown when there is no session. */
export function SignedOutPage({ title, children, testId }: { title: string; children: ComponentChildren; testId: string }) {
  return (
    <main class="center-page" data-testid={testId}>
      <div class="card narrow">
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}
