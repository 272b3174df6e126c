// Bundles the portal and the console at build time: one content-hashed JS and CSS file per app in
// dist/assets, and each app's index.html pointing at them. Nothing is fetched at run time but the
// same-origin API, so the gateway's strict CSP (script-src 'self', style-src 'self') holds.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = path.join(root, 'dist');
const assetsDir = path.join(dist, 'assets');
// Must match WEB_UI_ASSETS_PATH in src/index.ts (the gateway serves dist/assets there).
const assetsUrl = '/ui/assets';

const apps = {
  portal: { title: 'Webhooks portal', entry: 'src/ui/portal/main.tsx' },
  console: { title: 'hookstream operator console', entry: 'src/ui/console/main.tsx' },
};

await Promise.all(['assets', ...Object.keys(apps)].map((dir) => rm(path.join(dist, dir), { recursive: true, force: true })));

const result = await build({
  absWorkingDir: root,
  entryPoints: Object.fromEntries(Object.entries(apps).map(([name, app]) => [name, app.entry])),
  outdir: assetsDir,
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  bundle: true,
  format: 'esm',
  splitting: false,
  minify: true,
  target: ['chrome110', 'firefox110', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  define: { 'process.env.NODE_ENV': '"production"' },
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});

const outputs = Object.entries(result.metafile.outputs);
for (const [name, app] of Object.entries(apps)) {
  const js = outputs.find(([, o]) => o.entryPoint === app.entry)?.[0];
  if (!js) throw new Error(`web-ui: no bundle for ${name}`);
  const css = outputs.find(([file]) => file.endsWith('.css') && path.basename(file).startsWith(`${name}-`))?.[0];
  const url = (file) => `${assetsUrl}/${path.basename(file)}`;
  // rel=icon data: keeps the browser from asking the gateway for /favicon.ico.
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${app.title}</title>
<link rel="icon" href="data:,">
${css ? `<link rel="stylesheet" href="${url(css)}">\n` : ''}<script type="module" src="${url(js)}"></script>
</head>
<body>
<noscript>This page needs JavaScript.</noscript>
<div id="app"></div>
</body>
</html>
`;
  await mkdir(path.join(dist, name), { recursive: true });
  await writeFile(path.join(dist, name, 'index.html'), html);
}
