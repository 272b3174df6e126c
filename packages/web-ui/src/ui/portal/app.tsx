import { useMemo } from 'preact/hooks';
import { SessionGate, SignedOutPage } from '../components/session-gate.js';
import { Shell } from '../components/shell.js';
import { ApiClient } from '../lib/api.js';
import { useRoute } from '../lib/router.js';
import type { Session } from '../lib/session.js';
import type { EventTypeEntry } from '../lib/types.js';
import { CataloguePage } from './catalogue-page.js';
import { BASE, Portal, type PortalContext } from './context.js';
import { EndpointPage } from './endpoint-page.js';
import { EndpointsPage } from './endpoints-page.js';

const api = new ApiClient();

export function PortalApp() {
  return (
    <SessionGate
      api={api}
      kind="portal"
      signedOut={(reason) => (
        <SignedOutPage
          title={reason === 'ended' ? 'Your session has ended' : reason === 'refused' ? 'This link can no longer be used' : 'No session'}
          testId={`session-${reason}`}
        >
          <p>
            {reason === 'refused'
              ? 'Portal links work once and only for a few minutes. Ask for a new link from the application that sent you here.'
              : reason === 'ended'
                ? 'You signed out, or the session expired. Open a new portal link from the application that sent you here.'
                : 'Open the portal with the link the application gave you; it signs you in.'}
          </p>
        </SignedOutPage>
      )}
    >
      {(session, logout) => <SignedIn session={session} logout={logout} />}
    </SessionGate>
  );
}

function SignedIn({ session, logout }: { session: Session; logout(): void }) {
  const route = useRoute(BASE);
  const ctx = useMemo<PortalContext>(() => {
    let catalogue: Promise<EventTypeEntry[]> | undefined;
    return {
      api,
      session,
      catalogue: () => {
        catalogue ??= api.get<{ data: EventTypeEntry[] }>('/v1/event-types').then(
          (r) => r.data,
          (err: unknown) => {
            catalogue = undefined;
            throw err;
          },
        );
        return catalogue;
      },
    };
  }, [session]);
  const [section, id] = route;
  const view = section === 'events' ? <CataloguePage /> : section === 'endpoints' && id ? <EndpointPage id={id} key={id} /> : <EndpointsPage />;
  return (
    <Portal.Provider value={ctx}>
      <Shell
        product="Webhooks"
        testId="portal-app"
        nav={[
          { href: `${BASE}/`, label: 'Endpoints', current: section !== 'events' },
          { href: `${BASE}/events`, label: 'Event catalogue', current: section === 'events' },
        ]}
        who={
          <span class="who-text">
            <span class="sr-only">Signed in as </span>
            {session.partner ?? 'partner'}
            {session.read_only && <span class="badge muted">read-only</span>}
          </span>
        }
        onLogout={logout}
      >
        {view}
      </Shell>
    </Portal.Provider>
  );
}
