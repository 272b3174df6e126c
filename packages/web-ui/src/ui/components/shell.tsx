import type { ComponentChildren } from 'preact';
import { Link } from './link.js';

export interface NavItem {
  href: string;
  label: string;
  current: boolean;
}

/**
 * The page frame of both apps: a skip link, the header with the main navigation and who is
 * signed in, and the main region the views render into.
 */
export function Shell(props: { product: string; nav: NavItem[]; who: ComponentChildren; onLogout?: () => void; children: ComponentChildren; testId: string }) {
  return (
    <div class="app" data-testid={props.testId}>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <div class="topbar-inner">
          <span class="brand">
            <span class="brand-mark" aria-hidden="true">
              ◆
            </span>
            {props.product}
          </span>
          <nav aria-label="Main" data-testid="main-nav">
            <ul>
              {props.nav.map((n) => (
                <li key={n.href}>
                  <Link href={n.href} class="nav-link" current={n.current}>
                    {n.label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
          <div class="who" data-testid="session-info">
            {props.who}
            {props.onLogout && (
              <button type="button" class="button ghost small" onClick={props.onLogout} data-testid="logout">
                Sign out
              </button>
            )}
          </div>
        </div>
      </header>
      <main id="main" class="content" tabIndex={-1}>
        {props.children}
      </main>
    </div>
  );
}

/** A view's title row: the heading, an optional line under it and the view's main actions. */
export function PageHeader({
  title,
  sub,
  actions,
  back,
}: {
  title: ComponentChildren;
  sub?: ComponentChildren;
  actions?: ComponentChildren;
  back?: { href: string; label: string };
}) {
  return (
    <div class="page-header">
      {back && (
        <Link href={back.href} class="back-link">
          ← {back.label}
        </Link>
      )}
      <div class="page-header-row">
        <div>
          <h1>{title}</h1>
          {sub && <p class="sub">{sub}</p>}
        </div>
        {actions && <div class="actions">{actions}</div>}
      </div>
    </div>
  );
}
