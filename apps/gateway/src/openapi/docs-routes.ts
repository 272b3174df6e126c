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

const INIT_JS = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });`;

/**
 * The human-readable docs at /docs: swagger-ui from node_modules (no CDN) showing
 * /openapi.json. A page for people, not an operation of the API, so it is not in the route table.
 */
export function docsPage(): Router {
  const r = Router();
  const assets = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  r.get(['/docs', '/docs/'], (_req, res) => {
    res.type('html').send(DOCS_HTML);
  });
  r.get('/docs/init.js', (_req, res) => {
    res.type('application/javascript').send(INIT_JS);
  });
  r.use('/docs/assets', express.static(assets, { index: false, fallthrough: true, maxAge: '1h' }));
  return r;
}
