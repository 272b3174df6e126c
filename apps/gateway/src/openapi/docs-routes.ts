import { createRequire } from 'node:module';
import path from 'node:path';
import express, { Router } from 'express';

const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>hookstream gateway API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>`;

// validatorUrl: null keeps swagger-ui from sending the document's URL to validator.swagger.io.
const INIT_JS = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, validatorUrl: null });`;

/**
 * What the page may load: swagger-ui's script and stylesheet from this origin and no inline
 * script (init.js is a file for that reason); inline styles, which swagger-ui applies itself;
 * the data: icons of its stylesheet; the document from this origin and "try it out" calls to
 * the API's public URL. Nothing from a third party, and no framing.
 */
export function docsContentSecurityPolicy(publicUrl: string): string {
  const api = new URL(publicUrl).origin;
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src 'self' ${api}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The human-readable docs at /docs: swagger-ui from node_modules (no CDN) showing
 * /openapi.json. A page for people, not an operation of the API, so it is not in the route table.
 */
export function docsPage(publicUrl: string): Router {
  const r = Router();
  const csp = docsContentSecurityPolicy(publicUrl);
  const assets = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  r.get(['/docs', '/docs/'], (_req, res) => {
    res.setHeader('content-security-policy', csp);
    res.type('html').send(DOCS_HTML);
  });
  r.get('/docs/init.js', (_req, res) => {
    res.type('application/javascript').send(INIT_JS);
  });
  r.use('/docs/assets', express.static(assets, { index: false, fallthrough: true, maxAge: '1h' }));
  return r;
}
