import type { Page, Response } from 'playwright-core';

/** What a same-origin request made by the page itself answered (with the page's cookie, as the UI makes it). */
export interface PageAnswer {
  status: number;
  body: unknown;
}

/** A GET from within the page: the session cookie goes along, exactly as the UI's own calls. */
export function pageGet(page: Page, path: string): Promise<PageAnswer> {
  return page.evaluate(async (p) => {
    const res = await fetch(p, { credentials: 'same-origin' });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body };
  }, path);
}

/** Resolves with the next answer of the API to `method path` (path a prefix or a pattern). */
export function nextApiAnswer(page: Page, method: string, path: string | RegExp): Promise<Response> {
  return page.waitForResponse((r) => {
    if (r.request().method() !== method) return false;
    const p = new URL(r.url()).pathname;
    return typeof path === 'string' ? p === path : path.test(p);
  });
}
