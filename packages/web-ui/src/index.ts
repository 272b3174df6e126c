import { fileURLToPath } from 'node:url';

/**
 * Absolute path of the built UI: `portal/index.html`, `console/index.html` and the content-hashed
 * `assets/*.js|css` they load. This module is compiled into that same `dist` folder, so the path
 * is its own directory.
 */
export function webUiRoot(): string {
  return fileURLToPath(new URL('.', import.meta.url));
}

/** URL path under which the gateway serves `assets/` (the pages reference their bundles there). */
export const WEB_UI_ASSETS_PATH = '/ui/assets';

/** The two single-page applications and the URL path each is served at. */
export const WEB_UI_APPS = ['portal', 'console'] as const;
export type WebUiApp = (typeof WEB_UI_APPS)[number];
