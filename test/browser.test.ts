/**
 * The demo page in a real browser: Debian's Chromium, headless, driven by playwright-core. It runs a
 * short range test and short CLR and 1cycle runs on the synthetic task, and the LR (and momentum) the
 * optimizer held during each batch must equal the schedules' values computed here in Node.
 * Skipped, with a message, where /usr/bin/chromium is absent (CI installs it).
 */
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { cyclicLearningRate, cyclicMomentum, oneCycleLearningRate, oneCycleMomentum } from '../src/index.js';
import { buildDemo, serveDemo } from '../examples/browser/serve.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.log(`skipping the browser test: no Chromium at ${CHROMIUM} (apt-get install chromium; CI does)`);
const run = haveChromium ? describe : describe.skip;

interface Demo {
  state: string;
  backend: string;
  errors: string[];
  rangeTest: { lr: number[]; stopReason: string } | null;
  suggestion: { baseLR: number | null; maxLR: number | null; confidence: string; notes: string[] } | null;
  training: { options: Record<string, number | string | boolean>; lrUsed: number[]; momentumUsed: number[]; loss: number[] } | null;
  visor: { batch: number[]; epoch: number[] } | null;
}

run(`the demo page in headless Chromium${haveChromium ? '' : ` (skipped: no Chromium at ${CHROMIUM})`}`, () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const demo = () => page.evaluate(() => (window as unknown as { __demo: unknown }).__demo) as Promise<Demo>;
  const waitFor = (state: string, timeout = 240000) =>
    page.waitForFunction((s) => {
      const d = (window as unknown as { __demo?: { state: string } }).__demo;
      return d?.state === s || d?.state === 'error';
    }, state, { timeout, polling: 200 });
  const set = async (id: string, value: string) => page.fill(`#${id}`, value);

  beforeAll(async () => {
    await buildDemo();
    server = await serveDemo(0);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await waitFor('idle', 60000);
  }, 120000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
  });

  test('the page picks a backend and says which', async () => {
    const d = await demo();
    expect(d.state).toBe('idle');
    expect(['webgl', 'wasm', 'cpu']).toContain(d.backend);
    expect(await page.textContent('#backend')).toBe(d.backend);
    console.log(`browser test: the page runs on the ${d.backend} backend`);
  });

  test('a short range test sweeps the LR and suggests finite bounds or says why not', async () => {
    await set('range-min', '0.001');
    await set('range-max', '1');
    await set('range-epochs', '2');
    await page.click('#range-test');
    await page.waitForFunction(() => (window as unknown as { __demo: Demo }).__demo.rangeTest !== null, undefined, { timeout: 240000 });
    await waitFor('idle');
    const d = await demo();
    const lr = d.rangeTest?.lr ?? [];
    expect(lr[0]).toBeCloseTo(0.001, 12);
    expect(lr.length).toBeGreaterThan(5);
    const s = d.suggestion;
    expect(s).not.toBeNull();
    if (s?.baseLR !== null && s?.maxLR !== null) {
      expect(Number.isFinite(s?.baseLR)).toBe(true);
      expect(Number.isFinite(s?.maxLR)).toBe(true);
      expect(s?.maxLR as number).toBeGreaterThanOrEqual(s?.baseLR as number);
      // The training form now holds the suggestion.
      expect(Number(await page.inputValue('#base-lr'))).toBeCloseTo(s?.baseLR as number, 2);
      expect(Number(await page.inputValue('#max-lr'))).toBeCloseTo(s?.maxLR as number, 2);
    } else {
      expect(s?.notes.length).toBeGreaterThan(0);
    }
    expect(await page.locator('#chart-range svg').count()).toBeGreaterThan(0);
  }, 300000);

  test('CyclicLR: the LR and momentum each batch used equal the schedule, computed here', async () => {
    await page.selectOption('#policy', 'triangular2');
    await set('base-lr', '0.01');
    await set('max-lr', '0.1');
    await set('step-size', '10');
    await set('epochs', '2');
    await page.click('#train');
    await waitFor('done');
    const t = (await demo()).training;
    const n = t?.lrUsed.length ?? 0;
    expect(n).toBe(38); // 600 images / batch 32 = 19 batches per epoch
    const lr = cyclicLearningRate({ baseLR: 0.01, maxLR: 0.1, stepSize: 10, mode: 'triangular2' });
    const m = cyclicMomentum({ stepSize: 10, mode: 'triangular2', baseMomentum: 0.8, maxMomentum: 0.9 });
    t?.lrUsed.forEach((v, i) => expect(v).toBeCloseTo(lr(i), 12));
    t?.momentumUsed.forEach((v, i) => expect(v).toBeCloseTo(m(i), 12));
    expect(t?.momentumUsed).toHaveLength(38);
    expect(t?.loss.every(Number.isFinite)).toBe(true);
  }, 300000);

  test('tfjs-vis: fitCallbacks beside CyclicLR (through prepareCallbacks) get learning_rate in the logs they plot', async () => {
    await page.check('#use-visor');
    await page.selectOption('#policy', 'triangular2');
    await set('base-lr', '0.01');
    await set('max-lr', '0.1');
    await set('step-size', '10');
    await set('epochs', '2');
    await page.evaluate(() => ((window as unknown as { __demo: { state: string } }).__demo.state = 'idle'));
    await page.click('#train');
    await waitFor('done');
    const d = await demo();
    const lr = cyclicLearningRate({ baseLR: 0.01, maxLR: 0.1, stepSize: 10, mode: 'triangular2' });
    // What callbacks after the schedule read as logs.learning_rate: every batch's LR, and the last
    // batch's at each epoch end (19 batches an epoch).
    expect(d.visor?.batch).toHaveLength(38);
    d.visor?.batch.forEach((v, i) => expect(v).toBeCloseTo(lr(i), 12));
    expect(d.visor?.epoch).toHaveLength(2);
    expect(d.visor?.epoch[0]).toBeCloseTo(lr(18), 12);
    expect(d.visor?.epoch[1]).toBeCloseTo(lr(37), 12);
    // The visor is open with the training surface, and its charts were drawn with a learning_rate series.
    const surface = page.locator('.visor .tf-surface').filter({ has: page.locator('.tf-label', { hasText: 'Training (triangular2)' }) });
    expect(await surface.count()).toBe(1);
    // One chart per hook, drawn (tfjs-vis draws on canvas: its series names are not text to read).
    expect(await surface.textContent()).toMatch(/onBatchEnd.*onEpochEnd/);
    await page.waitForFunction(() => document.querySelectorAll('.visor .tf-surface .tf-draw-area canvas, .visor .tf-surface .tf-draw-area svg').length >= 2, undefined, { timeout: 30000 });
    const shot = process.env.UPDATE_SCREENSHOTS === '1' ? path.resolve(__dirname, '../docs/visor.png') : path.resolve(__dirname, '../results/browser/visor.png');
    mkdirSync(path.dirname(shot), { recursive: true });
    await page.screenshot({ path: shot });
    await page.locator('.visor .visor-controls button', { hasText: 'Hide' }).click();
    await page.uncheck('#use-visor');
  }, 300000);

  test('OneCycleLR: totalSteps from the fit, values as PyTorch’s OneCycleLR', async () => {
    await page.selectOption('#policy', '1cycle');
    await set('max-lr', '0.1');
    await set('epochs', '1');
    await page.evaluate(() => ((window as unknown as { __demo: { state: string } }).__demo.state = 'idle'));
    await page.click('#train');
    await waitFor('done');
    const t = (await demo()).training;
    expect(t?.options.policy).toBe('1cycle');
    const lr = oneCycleLearningRate({ maxLR: 0.1, totalSteps: 19 });
    const m = oneCycleMomentum({ totalSteps: 19 });
    expect(t?.lrUsed).toHaveLength(19);
    t?.lrUsed.forEach((v, i) => expect(v).toBeCloseTo(lr(i), 12));
    t?.momentumUsed.forEach((v, i) => expect(v).toBeCloseTo(m(i), 12));
  }, 300000);

  test("with the range test's bounds: every chart laid out whole with axis titles; the README screenshot is saved", async () => {
    await page.click('#range-test');
    await waitFor('idle');
    const s = (await demo()).suggestion;
    const [base, max] = [await page.inputValue('#base-lr'), await page.inputValue('#max-lr')];
    if (s?.baseLR != null && s?.maxLR != null) {
      expect(Number(base)).toBeCloseTo(s.baseLR, 2);
      expect(Number(max)).toBeCloseTo(s.maxLR, 2);
    }
    await page.selectOption('#policy', 'triangular2');
    await set('epochs', '4');
    await page.click('#train');
    await waitFor('done');
    expect((await demo()).training?.options).toMatchObject({ baseLR: Number(base), maxLR: Number(max) });
    for (const [id, titles] of [
      ['chart-schedule', ['learning rate', 'momentum', 'iteration']],
      ['chart-training', ['loss', 'accuracy', 'iteration']],
      ['chart-range', ['accuracy', 'loss', 'learning rate']],
    ] as const) {
      const texts = await page.locator(`#${id} svg text`).allTextContents();
      for (const t of titles) expect(texts).toContain(t);
      // The drawing fits its box: nothing of the lower panel is cut off.
      const box = await page.locator(`#${id}`).evaluate((el) => {
        const svg = el.querySelector('svg') as SVGSVGElement;
        const parent = el.parentElement as HTMLElement;
        const r = svg.getBoundingClientRect();
        const p = parent.getBoundingClientRect();
        const inner = (svg.querySelector('g') as SVGGElement).getBBox();
        return { svgBottom: r.bottom, boxBottom: p.bottom, svgHeight: r.height, drawn: inner.height };
      });
      expect(box.svgBottom).toBeLessThanOrEqual(box.boxBottom + 1);
      expect(box.drawn).toBeLessThanOrEqual(box.svgHeight + 1);
      expect(box.svgHeight).toBeGreaterThan(250); // two panels of 110 px with their axes
    }
    // The picture the README shows: docs/demo.png with UPDATE_SCREENSHOTS=1, else results/browser/ (a test
    // run leaves the tracked picture alone).
    const shot = process.env.UPDATE_SCREENSHOTS === '1' ? path.resolve(__dirname, '../docs/demo.png') : path.resolve(__dirname, '../results/browser/demo.png');
    mkdirSync(path.dirname(shot), { recursive: true });
    await page.screenshot({ path: shot, fullPage: true });
    expect(existsSync(shot)).toBe(true);
  }, 300000);

  test('no uncaught page errors', async () => {
    const d = await demo();
    expect(d.errors).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
