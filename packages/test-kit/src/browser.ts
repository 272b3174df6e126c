import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's `chromium` package; CHROMIUM_PATH points elsewhere. */
export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/** The Chromium the browser tests drive: CHROMIUM_PATH, else Debian's package. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM_PATH;
}

/**
 * Launches the machine's headless Chromium through playwright-core. Never downloads a
 * browser: a missing executable fails at once with how to install one.
 */
export async function launchChromium(opts: { args?: string[] } = {}): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!fs.existsSync(executablePath)) {
    throw new Error(`no Chromium at ${executablePath}: install Debian's package (apt-get install chromium; .ci/run does it when missing) or set CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath,
    headless: true,
    // Tests run as root in CI, where Chromium's sandbox cannot start; the pages are our own.
    args: ['--no-sandbox', '--disable-dev-shm-usage', ...(opts.args ?? [])],
    // A loaded two-core machine can take a while to start a browser.
    timeout: 60_000,
  });
}
