import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashEmail, sealEmail } from '../src/crypto/email.js';
import { importPeople } from '../src/people/import.js';
import { mintReferenceCode } from '../src/reference-code.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { bytesOf, sampleDraft } from './helpers/fixtures.js';

/**
 * End-to-end checks of the public pages in Debian's headless Chromium: WCAG 2.2 AA with axe-core,
 * keyboard-only use with JavaScript disabled, and Japanese text rendered with a CJK font.
 */
const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

let t: TestApp;
let browser: Browser;
let base: string;
let incidentId: string;
let code: string;

beforeAll(async () => {
  t = await startTestApp();
  const store = t.opened.store;
  const now = t.clock.now().toISOString();
  incidentId = (await store.createIncident(sampleDraft(), 'alice', now)).id;
  await store.updateIncident(
    incidentId,
    {
      publicTitle: 'お客様のメールアドレスが外部から閲覧可能な状態にありました',
      publicText:
        'クラウド環境の設定誤りにより、2017年から外部から閲覧可能な状態でした。\n\n現在は対策済みです。',
      contactChannel: '専用窓口 0120-000-000(平日 9:00〜17:00)',
    },
    { actor: 'alice', action: 'incident.updated', details: {} },
    now,
  );
  await importPeople(store, bytesOf('email\nmember@example.com\n'), {
    incidentId,
    actor: 'alice',
    format: 'csv',
    keyring: t.keyring,
    clock: t.clock,
  });
  const hash = hashEmail(t.keyring, 'member@example.com');
  const sealed = sealEmail(t.keyring, 'member@example.com');
  code = mintReferenceCode();
  await store.insertNotice({
    incidentId,
    personId: (await store.findPersonByEmailHash(hash)) as string,
    emailHash: hash,
    emailSealed: sealed.value,
    keyId: sealed.keyId,
    referenceCode: code,
    language: 'ja',
    channel: 'email',
    campaignId: null,
    messageId: null,
    status: 'sent',
    sentAt: now,
    createdAt: now,
  });
  base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  browser = await chromium.launch({
    executablePath: process.env.LEAKWATCH_TEST_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

const axeViolations = async (page: Page) => {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() =>
    (
      window as unknown as {
        axe: {
          run(
            ctx: Document,
            opts: object,
          ): Promise<{ violations: { id: string; nodes: unknown[] }[] }>;
        };
      }
    ).axe.run(document, {
      runOnly: {
        type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'],
      },
    }),
  );
  return result.violations.map((v) => `${v.id} (${v.nodes.length})`);
};

describe('public pages in Chromium', () => {
  it('pass axe (WCAG 2.2 AA) in English and Japanese, including result and error states', async () => {
    // CSP forbids every script on these pages; the test context bypasses it only to inject axe.
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    try {
      for (const lang of ['en', 'ja']) {
        for (const path of ['', 'check', 'verify', `notices/${incidentId}`]) {
          await page.goto(`${base}/${lang}/${path}`);
          expect(await axeViolations(page), `${lang}/${path}`).toEqual([]);
        }
        await page.goto(`${base}/${lang}/check`);
        await page.fill('#email', 'not an address');
        await page.click('button[type=submit]');
        expect(await page.getAttribute('#email', 'aria-invalid')).toBe('true');
        expect(await axeViolations(page), `${lang} check error`).toEqual([]);
        await page.fill('#email', 'member@example.com');
        await page.click('button[type=submit]');
        expect(await axeViolations(page), `${lang} check done`).toEqual([]);
        await page.goto(`${base}/${lang}/verify`);
        await page.fill('#code', code);
        await page.click('button[type=submit]');
        expect(await page.textContent('h1')).toMatch(/genuine|本物/);
        expect(await axeViolations(page), `${lang} verify result`).toEqual([]);
      }
    } finally {
      await context.close();
    }
  });

  it('works by keyboard alone with JavaScript disabled', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      await page.goto(`${base}/en/verify`);
      await page.keyboard.press('Tab');
      expect(await page.locator('a.skip').evaluate((el) => el === document.activeElement)).toBe(
        true,
      );
      await page.keyboard.press('Enter');
      expect(page.url()).toBe(`${base}/en/verify#main`);
      // From the main landmark, the next stop is the code field; typing then Enter submits the form.
      await page.keyboard.press('Tab');
      expect(await page.locator('#code').evaluate((el) => el === document.activeElement)).toBe(
        true,
      );
      await page.keyboard.type(code.toLowerCase());
      await page.keyboard.press('Enter');
      await page.waitForURL(`${base}/en/verify`);
      expect(await page.textContent('h1')).toBe('This notice is genuine');
      expect(await page.textContent('main')).toContain('m***@example.com');
    } finally {
      await context.close();
    }
  });

  it('renders Japanese with a CJK font', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${base}/ja/notices/${incidentId}`);
      expect(await page.getAttribute('html', 'lang')).toBe('ja');
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('DOM.enable');
      await cdp.send('CSS.enable');
      const { root } = await cdp.send('DOM.getDocument');
      const { nodeId } = await cdp.send('DOM.querySelector', {
        nodeId: root.nodeId,
        selector: 'h1',
      });
      const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
      const glyphs = fonts.reduce((sum, f) => sum + f.glyphCount, 0);
      const cjk = fonts
        .filter((f) => /CJK/i.test(f.familyName))
        .reduce((sum, f) => sum + f.glyphCount, 0);
      expect(cjk, JSON.stringify(fonts)).toBe(glyphs);
      expect(glyphs).toBeGreaterThan(20);
    } finally {
      await page.close();
    }
  });
});

describe('operator lookup page in Chromium', () => {
  it('passes axe in English and Japanese and works by keyboard alone without JavaScript', async () => {
    const authorization = `Bearer ${t.viewerToken}`;
    const axeContext = await browser.newContext({
      bypassCSP: true,
      extraHTTPHeaders: { authorization },
    });
    const page = await axeContext.newPage();
    try {
      for (const lang of ['en', 'ja']) {
        await page.goto(`${base}/${lang}/operator/lookup`);
        expect(await axeViolations(page), `${lang} operator lookup`).toEqual([]);
        await page.fill('#email', 'not an address');
        await page.click('button[type=submit]');
        expect(await page.getAttribute('#email', 'aria-invalid')).toBe('true');
        expect(await axeViolations(page), `${lang} operator lookup error`).toEqual([]);
        await page.fill('#email', 'member@example.com');
        await page.click('button[type=submit]');
        expect(await page.textContent('#notices')).toContain(code);
        expect(await axeViolations(page), `${lang} operator lookup result`).toEqual([]);
      }
    } finally {
      await axeContext.close();
    }

    const context = await browser.newContext({
      javaScriptEnabled: false,
      extraHTTPHeaders: { authorization },
    });
    const keyboard = await context.newPage();
    try {
      await keyboard.goto(`${base}/en/operator/lookup`);
      await keyboard.keyboard.press('Tab');
      expect(await keyboard.locator('a.skip').evaluate((el) => el === document.activeElement)).toBe(
        true,
      );
      await keyboard.keyboard.press('Enter');
      await keyboard.keyboard.press('Tab');
      expect(await keyboard.locator('#email').evaluate((el) => el === document.activeElement)).toBe(
        true,
      );
      await keyboard.keyboard.type('Member@Example.com');
      await keyboard.keyboard.press('Enter');
      await keyboard.waitForURL(`${base}/en/operator/lookup`);
      expect(await keyboard.textContent('#affected')).toBe('Yes');
      expect(await keyboard.textContent('#notices')).toContain(code);
    } finally {
      await context.close();
    }
  });
});
