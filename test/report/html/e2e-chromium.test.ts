/**
 * End to end: the report for the bundled sample opened from disk in headless Chromium (Debian's
 * `chromium`, installed by scripts/install-system-deps.sh) through playwright-core. Fails, never
 * skips, when the browser is missing.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSampleReport, snapshotRepo } from './build-report.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];
/** Where the screenshots are left for people (and CI artifacts) to look at. */
const SHOTS = process.env.BACKLEVEL_SCREENSHOTS ?? join(tmpdir(), 'backlevel-html-screenshots');

let browser: Browser;
let page: Page;
let dir: string;
let file: string;
let tmp: { dir: string; repo: string };
const requests: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} is missing: the HTML report's end-to-end test needs Debian's chromium (run scripts/install-system-deps.sh as root)`,
    );
  tmp = snapshotRepo();
  dir = mkdtempSync(join(tmpdir(), 'backlevel-html-e2e-'));
  const built = await buildSampleReport(tmp.repo, join(dir, 'cache'));
  file = join(dir, 'report.html');
  writeFileSync(file, built.html);
  writeFileSync(join(mkdirp(SHOTS), 'report.html'), built.html);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
});

afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (tmp) rmSync(tmp.dir, { recursive: true, force: true });
});

async function visibleBox(selector: string) {
  const loc = page.locator(selector).first();
  await expect.poll(() => loc.isVisible()).toBe(true);
  const box = await loc.boundingBox();
  expect(box, selector).not.toBeNull();
  expect(box!.width).toBeGreaterThan(100);
  expect(box!.height).toBeGreaterThan(20);
  return box!;
}

describe('HTML report in headless Chromium', () => {
  it('opens from disk, loads nothing from the network, and shows the matrix and the dashboard', async () => {
    expect(requests.every((u) => u.startsWith('file:'))).toBe(true);
    expect(await page.title()).toBe('backlevel lint report');
    const matrix = await visibleBox('table.compat-matrix');
    const dashboard = await visibleBox('table.dashboard-table');
    expect(dashboard.y).toBeGreaterThan(matrix.y);
    await expect
      .poll(() => page.getByRole('heading', { name: 'Object compatibility matrix' }).isVisible())
      .toBe(true);
    await expect
      .poll(() => page.getByRole('heading', { name: 'Migration dashboard' }).isVisible())
      .toBe(true);
    // Cells render their words (not colour only).
    const gadget = page.locator('table.compat-matrix tbody tr', { hasText: 'Gadget' });
    expect(await gadget.locator('td').first().innerText()).toMatch(/1\.0\s*fails \(1\)/);
    const attach = page.locator('table.dashboard-table tbody tr', { hasText: 'get_diagnostics' });
    expect(await attach.innerText()).toMatch(/dict access: 1/);
    // A screenshot of the first screen, and of the whole page.
    writeFileSync(join(SHOTS, 'report-top.png'), await page.screenshot());
    writeFileSync(join(SHOTS, 'report-full.png'), await page.screenshot({ fullPage: true }));
  });

  it('a matrix cell opens its findings without scripts (details/summary)', async () => {
    const cell = page.locator('table.compat-matrix tbody tr', { hasText: 'Gadget' }).locator('td').first();
    const finding = cell.locator('.finding');
    expect(await finding.isVisible()).toBe(false);
    await cell.locator('summary').click();
    await expect.poll(() => finding.isVisible()).toBe(true);
    expect(await finding.innerText()).toMatch(/introduced in\s+12\.0\.0/);
    await cell.screenshot({ path: join(SHOTS, 'matrix-cell-open.png') });
  });

  it('a dashboard site link jumps to the finding with its code frame', async () => {
    const row = page.locator('table.dashboard-table tbody tr', { hasText: 'get_diagnostics' });
    const cell = row.locator('td.status-dict-access').first();
    await cell.locator('summary').click();
    const link = cell.locator('a', { hasText: 'dict access' }).first();
    const target = (await link.getAttribute('href'))!;
    await link.click();
    const finding = page.locator(target);
    await expect.poll(() => finding.isVisible()).toBe(true);
    expect(await finding.locator('.frame .hit').first().innerText()).toContain("instance['name']");
  });

  it('stays readable in a narrow window: the page never scrolls sideways, tables scroll in their box', async () => {
    await page.setViewportSize({ width: 380, height: 800 });
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(1);
    const wrap = page.locator('.table-wrap', { has: page.locator('table.dashboard-table') });
    const box = await wrap.boundingBox();
    expect(box!.width).toBeLessThanOrEqual(380);
    expect(await wrap.evaluate((e) => e.scrollWidth > e.clientWidth)).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'report-narrow.png') });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('prints: navigation hidden, every drill-down opened before printing', async () => {
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('nav.toc').isVisible()).toBe(false);
    await page.evaluate("window.dispatchEvent(new Event('beforeprint'))");
    const closed = await page.evaluate<number>(
      "[...document.querySelectorAll('details')].filter((d) => !d.open).length",
    );
    expect(closed).toBe(0);
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 4).toString()).toBe('%PDF');
    await page.evaluate("window.dispatchEvent(new Event('afterprint'))");
    await page.emulateMedia({ media: 'screen' });
  });
});

function mkdirp(d: string): string {
  mkdirSync(d, { recursive: true });
  return d;
}
