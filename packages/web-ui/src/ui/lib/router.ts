import { useEffect, useState } from 'preact/hooks';

/**
 * Client-side routes under an app's base path (`/portal`, `/console`): real paths, so a view can
 * be reloaded or linked (the gateway answers every path under the base with the app's page).
 */
export function routeOf(pathname: string, base: string): string[] {
  const rest = pathname.startsWith(base) ? pathname.slice(base.length) : pathname;
  return rest.split('/').filter(Boolean).map(decodeURIComponent);
}

const listeners = new Set<() => void>();

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  for (const l of listeners) l();
  // A new view starts at the top, as a page load would, and so does keyboard and screen reader
  // focus (the main region), instead of staying on a link that just went away.
  window.scrollTo(0, 0);
  document.getElementById('main')?.focus({ preventScroll: true });
}

/** The current path's segments under `base`, re-rendering on navigation and Back/Forward. */
export function useRoute(base: string): string[] {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return routeOf(path, base);
}
