import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ApiClient } from '../lib/api.js';
import type { Session } from '../lib/session.js';
import type { EventTypeEntry } from '../lib/types.js';

export interface PortalContext {
  api: ApiClient;
  session: Session;
  /** The event catalogue, loaded once per page (it changes only with a deployment). */
  catalogue(): Promise<EventTypeEntry[]>;
}

export const Portal = createContext<PortalContext | null>(null);

export function usePortal(): PortalContext {
  const ctx = useContext(Portal);
  if (!ctx) throw new Error('usePortal outside the portal');
  return ctx;
}

export const BASE = '/portal';
export const endpointPath = (id: string) => `${BASE}/endpoints/${encodeURIComponent(id)}`;
