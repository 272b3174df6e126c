import { chromiumPath, launchChromium } from '../src/index.js';

describe('launchChromium', () => {
  const saved = process.env.CHROMIUM_PATH;
  afterEach(() => {
    if (saved === undefined) delete process.env.CHROMIUM_PATH;
    else process.env.CHROMIUM_PATH = saved;
  });

  it("drives the machine's own headless Chromium through playwright-core", async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 375, height: 600 } });
      await page.setContent('<main><label>Endpoint URL <input name="url"></label><button aria-label="Add endpoint">+</button></main>');
      await page.getByLabel('Endpoint URL').fill('https://partner.example/hooks');
      expect(await page.getByLabel('Endpoint URL').inputValue()).toBe('https://partner.example/hooks');
      expect(await page.getByRole('button', { name: 'Add endpoint' }).count()).toBe(1);
      expect(browser.version()).toMatch(/^\d+\./);
    } finally {
      await browser.close();
    }
  });

  it('never downloads a browser: a missing executable fails at once, saying how to install one', async () => {
    process.env.CHROMIUM_PATH = '/nonexistent/chromium';
    expect(chromiumPath()).toBe('/nonexistent/chromium');
    await expect(launchChromium()).rejects.toThrow(/no Chromium at \/nonexistent\/chromium: install Debian's package \(apt-get install chromium/);
  });
});
