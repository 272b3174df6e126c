import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { GatewayClient, launchChromium, startReceiver, startSystem, type Receiver, type TestSystem } from '@hookstream/test-kit';
import type { Browser, BrowserContext, Page } from 'playwright-core';

export interface Tenant {
  id: string;
  name: string;
  api: GatewayClient;
}

/** What a session route answers. */
export interface SessionLink {
  url: string;
  expires_at: string;
}

/** The whole system, a receiver and one Chromium, started once per test file. */
export interface UiSystem {
  system: TestSystem;
  receiver: Receiver;
  browser: Browser;
  /** The gateway's public URL: where the portal and the console are served, and the origin cookies belong to. */
  publicUrl: string;
  /** The portal signing key the gateway was started with (base64 of 32 bytes). */
  portalKey: string;
  newTenant(name: string): Promise<Tenant>;
  portalSession(tenant: Tenant, body: { partner: string; webhook_ids?: string[]; expires_in_s?: number; read_only?: boolean }): Promise<SessionLink>;
  consoleSession(body?: { expires_in_s?: number }): Promise<SessionLink>;
  /** A fresh browser context (its own cookies) and page, at a desktop width unless told. */
  newPage(opts?: { width?: number; height?: number }): Promise<{ context: BrowserContext; page: Page }>;
  stop(): Promise<void>;
}

/** A port free right now on loopback (the gateway must know its own public URL before it starts). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The receiver on a fixed port when it is free, so the endpoint URLs in the screenshots read the
 * same on every run; on any port otherwise.
 */
async function startStableReceiver(): Promise<Receiver> {
  const stable = 47_801;
  return startReceiver((await portIsFree(stable)) ? { port: stable } : {});
}

async function portIsFree(port: number): Promise<boolean> {
  const server = net.createServer();
  const free = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => resolve(true));
  });
  if (free) await new Promise<void>((resolve) => server.close(() => resolve()));
  return free;
}

/**
 * Starts gateway, matcher and worker as processes with a known public URL (the session
 * links point there and cookie requests must come from its origin), a receiver and Chromium.
 */
export async function startUiSystem(): Promise<UiSystem> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const portalKey = randomBytes(32).toString('base64');
  const [system, receiver, browser] = await Promise.all([
    startSystem({ env: { PORT: String(port), HOOKSTREAM_PUBLIC_URL: publicUrl, HOOKSTREAM_PORTAL_KEY: portalKey } }),
    startStableReceiver(),
    launchChromium(),
  ]);
  const contexts: BrowserContext[] = [];
  return {
    system,
    receiver,
    browser,
    publicUrl,
    portalKey,
    async newTenant(name) {
      const t = await system.admin.createTenant(`${name}-${randomBytes(3).toString('hex')}`);
      return { id: t.id, name, api: new GatewayClient(system.gateway.baseUrl, t.api_key) };
    },
    portalSession: (tenant, body) => tenant.api.expect<SessionLink>(201, 'POST', '/v1/portal/sessions', body),
    consoleSession: (body = {}) => system.admin.expect<SessionLink>(201, 'POST', '/v1/console/sessions', body),
    async newPage(opts = {}) {
      const context = await browser.newContext({
        viewport: { width: opts.width ?? 1280, height: opts.height ?? 860 },
        // Screenshots that read the same on every machine and every run.
        locale: 'en-GB',
        timezoneId: 'UTC',
        colorScheme: 'light',
        reducedMotion: 'reduce',
      });
      // Playwright's auto-waiting locators wait this long for a state before failing.
      context.setDefaultTimeout(45_000);
      contexts.push(context);
      return { context, page: await context.newPage() };
    },
    async stop() {
      await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
      await browser.close().catch(() => undefined);
      await Promise.all([system.stop(), receiver.close()]);
    },
  };
}
