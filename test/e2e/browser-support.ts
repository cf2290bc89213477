/**
 * Debian's chromium driven by playwright-core, for the HTML report's browser test and benchmark: a
 * fresh profile, nothing in the background, and a page whose every request is counted and refused,
 * so a report that tries to reach any network is caught.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Where Debian installs chromium; DCASS_CHROMIUM overrides. */
export const CHROMIUM_PATH = process.env.DCASS_CHROMIUM ?? '/usr/bin/chromium';

export const BROWSER_ENABLE_HINT =
  'install Debian chromium to run it: `apt-get install -y chromium`; ' +
  'set DCASS_REQUIRE_BROWSER=1 to make a missing browser fail the run instead of skipping';

/** Whether chromium is here, and why not. */
export function browserAvailability(): { ok: true } | { ok: false; reason: string } {
  return existsSync(CHROMIUM_PATH) ? { ok: true } : { ok: false, reason: `${CHROMIUM_PATH} not found` };
}

/** A browser with a throwaway profile (its --user-data-dir); close() removes it. */
export interface TestBrowser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Starts headless chromium on a fresh profile with background networking, updates and sync off. */
export async function launchChromium(viewport = { width: 1400, height: 1000 }): Promise<TestBrowser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'dcass-chromium-'));
  // Playwright passes the profile as --user-data-dir itself.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport,
    serviceWorkers: 'block',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A page opened on a local file, with what it tried to fetch and what it logged as an error. */
export interface WatchedPage {
  readonly page: Page;
  /** Every request the page made other than the report file itself (each was aborted). */
  readonly requests: string[];
  /** Console errors, page errors (uncaught exceptions) and CSP violations. */
  readonly errors: string[];
}

/**
 * A new page where every request but the file itself will be recorded and aborted, and every
 * console error or uncaught exception recorded; goto(file) opens it.
 */
export async function openWatched(b: TestBrowser, file: string): Promise<WatchedPage> {
  const page = await b.context.newPage();
  const url = pathToFileURL(file).href;
  const requests: string[] = [];
  const errors: string[] = [];
  await page.route('**/*', async (route) => {
    const u = route.request().url();
    if (u === url) return route.continue();
    requests.push(u);
    return route.abort();
  });
  // Requests that never reach routing (e.g. blocked by the page's own policy) still show here.
  page.on('request', (r) => {
    if (r.url() !== url && !requests.includes(r.url())) requests.push(r.url());
  });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`${e.name}: ${e.message}`));
  return { page, requests, errors };
}
