import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@hookstream/test-kit';
import type { Page } from 'playwright-core';

/** Where the README's pictures of the portal and the console live; the tests rewrite them on every run. */
export const IMAGES_DIR = path.join(repoRoot(), 'docs', 'images');

/**
 * Saves what the page shows as docs/images/<name>.png once nothing is loading any more: the
 * window by default (a dialog and its backdrop as a person sees them), or the whole page.
 */
export async function screenshot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<string> {
  await page.waitForLoadState('networkidle');
  // Fonts and layout settled: a capture mid-render would be a different picture every run.
  await page.evaluate(async () => {
    await document.fonts.ready;
  });
  fs.mkdirSync(IMAGES_DIR, { recursive: true });
  const file = path.join(IMAGES_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: opts.fullPage ?? false, animations: 'disabled', caret: 'hide' });
  return file;
}
