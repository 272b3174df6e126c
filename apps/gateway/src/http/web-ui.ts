import { readFileSync } from 'node:fs';
import path from 'node:path';
import express, { Router, type Request, type Response } from 'express';
import { WEB_UI_APPS, WEB_UI_ASSETS_PATH, webUiRoot } from '@hookstream/web-ui';

/**
 * What the portal and console pages may do: their own bundled script and stylesheet, images
 * from this origin or inline data:, calls to this origin's API only; no inline script or style,
 * nothing from a third party, no framing, no <base>, forms posting only here.
 */
export const WEB_UI_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The built UI (`@hookstream/web-ui`): `/portal/` and `/console/` answer their page for every path
 * under them (the apps route on the client), never cached so a deployment shows at once; the
 * content-hashed bundles under `/ui/assets/` are cached for a year as immutable. Not in the route
 * table: pages for people, not operations of the API (every view calls the API itself).
 */
export function webUiPages(root: string = webUiRoot()): Router {
  const r = Router();
  r.use(WEB_UI_ASSETS_PATH, express.static(path.join(root, 'assets'), { index: false, immutable: true, maxAge: 365 * 24 * 3600 * 1000, redirect: false }));
  for (const app of WEB_UI_APPS) {
    const html = readPage(root, app);
    r.get([`/${app}`, `/${app}/*rest`], (req: Request, res: Response) => {
      // The session link is /<app>/#token=...: without the slash the app's relative routes break.
      if (req.path === `/${app}`) {
        const query = req.originalUrl.slice(req.originalUrl.indexOf('?') >= 0 ? req.originalUrl.indexOf('?') : req.originalUrl.length);
        res.redirect(301, `/${app}/${query}`);
        return;
      }
      if (html === undefined) {
        res.status(503).set('cache-control', 'no-store').json({ error: `the web UI is not built: run npm run build -w @hookstream/web-ui` });
        return;
      }
      res.set({ 'content-security-policy': WEB_UI_CSP, 'cache-control': 'no-cache' }).type('html').send(html);
    });
  }
  return r;
}

function readPage(root: string, app: string): string | undefined {
  try {
    return readFileSync(path.join(root, app, 'index.html'), 'utf8');
  } catch {
    return undefined;
  }
}
