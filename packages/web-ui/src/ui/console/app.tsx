import { SessionGate } from '../components/session-gate.js';
import { Shell } from '../components/shell.js';
import { ApiClient } from '../lib/api.js';
import { useRoute } from '../lib/router.js';
import { Console } from './context.js';
import { BASE } from './context.js';
import { DeadLettersPage } from './dead-letters-page.js';
import { DeliveryRatePage } from './delivery-rate-page.js';
import { EndpointsHealthPage } from './endpoints-health-page.js';
import { LagPage } from './lag-page.js';
import { LoginPage } from './login-page.js';
import { TenantPage, TenantsPage } from './tenants-page.js';

const api = new ApiClient();
const ctx = { api };

const SECTIONS = [
  { path: 'tenants', label: 'Tenants' },
  { path: 'dead-letters', label: 'Dead letters' },
  { path: 'endpoints', label: 'Endpoints' },
  { path: 'lag', label: 'Consumer lag' },
  { path: 'rate', label: 'Delivery rate' },
] as const;

export function ConsoleApp() {
  return (
    <SessionGate api={api} kind="console" signedOut={(reason, signInWith) => <LoginPage api={api} reason={reason} onSession={signInWith} />}>
      {(_session, logout) => <SignedIn logout={logout} />}
    </SessionGate>
  );
}

function SignedIn({ logout }: { logout(): void }) {
  const [section = 'tenants', id] = useRoute(BASE);
  const view =
    section === 'dead-letters' ? (
      <DeadLettersPage />
    ) : section === 'endpoints' ? (
      <EndpointsHealthPage />
    ) : section === 'lag' ? (
      <LagPage />
    ) : section === 'rate' ? (
      <DeliveryRatePage />
    ) : id ? (
      <TenantPage id={id} key={id} />
    ) : (
      <TenantsPage />
    );
  return (
    <Console.Provider value={ctx}>
      <Shell
        product="hookstream console"
        testId="console-app"
        nav={SECTIONS.map((s) => ({ href: `${BASE}/${s.path}`, label: s.label, current: s.path === section }))}
        who={<span class="who-text">operator</span>}
        onLogout={logout}
      >
        {view}
      </Shell>
    </Console.Provider>
  );
}
