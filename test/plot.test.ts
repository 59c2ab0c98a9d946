/**
 * Plots: the range-test example end to end in a child process (vega and vega-lite are ES modules,
 * which jest's CommonJS runtime cannot import), checking the files it writes are well-formed SVG with
 * the suggested bounds marked; and the chart specs themselves.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { rangeTestChart, scheduleChart, accuracyCurvesChart } from '../src/plot/charts.js';
import type { RangeTestResult, BoundsSuggestion } from '../src/index.js';

const root = path.resolve(__dirname, '..');

/** All text content of <text> elements in an SVG. */
function svgTexts(svg: string): string[] {
  const texts: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === 'text') (Array.isArray(v) ? v : [v]).forEach((t) => texts.push(typeof t === 'object' ? String((t as Record<string, unknown>)['#text'] ?? '') : String(t)));
        else walk(v);
      }
    }
  };
  walk(new XMLParser({ ignoreAttributes: true }).parse(svg));
  return texts;
}

describe('the range-test example writes real SVG plots', () => {
  let out: string;
  let stdout: string;
  beforeAll(() => {
    out = mkdtempSync(path.join(tmpdir(), 'tfjs-clr-plot-'));
    stdout = execFileSync(process.execPath, ['examples/range-test.mjs', '--out', out], { cwd: root, encoding: 'utf8' });
  }, 120000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  test('range-test.svg is well-formed SVG with both bounds marked at the suggested values', () => {
    const svg = readFileSync(path.join(out, 'range-test.svg'), 'utf8');
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg.startsWith('<svg')).toBe(true);
    const { suggestion } = JSON.parse(readFileSync(path.join(out, 'result.json'), 'utf8')) as { suggestion: BoundsSuggestion };
    expect(suggestion.confidence).not.toBe('none');
    const texts = svgTexts(svg);
    const base = texts.find((t) => t.startsWith('baseLR '));
    const max = texts.find((t) => t.startsWith('maxLR '));
    expect(base).toBeDefined();
    expect(max).toBeDefined();
    expect(Number(base?.split(' ')[1])).toBeCloseTo(suggestion.baseLR as number, 2);
    expect(Number(max?.split(' ')[1])).toBeCloseTo(suggestion.maxLR as number, 2);
    expect(texts).toEqual(expect.arrayContaining(['learning rate', 'accuracy', 'loss', 'learning rate (probe)']));
  });

  test('schedule.svg is well-formed SVG', () => {
    const svg = readFileSync(path.join(out, 'schedule.svg'), 'utf8');
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svgTexts(svg)).toEqual(expect.arrayContaining(['learning rate', 'batch (global)']));
  });

  test('the terminal chart marks the bounds on the LR axis', () => {
    // The zero-config test's sweep, read on validation accuracy (the example passes validation data).
    expect(stdout).toMatch(/validation accuracy against the LR sweep \(linear, [0-9.]+ … [0-9.]+, \d+ points\)/);
    const axis = stdout.split('\n').find((l) => /^\s+─*b─*M─*$/.test(l));
    expect(axis).toBeDefined();
    expect(stdout).toMatch(/b = baseLR [0-9.]+ {3}M = maxLR [0-9.]+ \(/);
    expect(stdout).toMatch(/validation accuracy after 480 iterations: /);
  });

  test('its probes differ (shuffled data orders), so the spread it prints means something', () => {
    // Each probe saw its own data order: their per-batch losses differ pairwise. (Their readings land on a
    // grid, so two probes may still read the same LR: 1.00× apart is a possible, honest spread.)
    const { result } = JSON.parse(readFileSync(path.join(out, 'result.json'), 'utf8')) as { result: { probe: { repeats: Array<{ loss: Array<number | null> }> } } };
    const losses = result.probe.repeats.map((c) => c.loss.join(','));
    expect(losses).toHaveLength(3);
    expect(new Set(losses).size).toBe(3);
    expect(stdout).not.toMatch(/made the probes identical/);
    // The spread printed is the readings' max / min.
    const m = /the probes read alone: ([0-9.e, -]+) \((\d+\.\d+)× apart/.exec(stdout);
    expect(m).not.toBeNull();
    const readings = (m?.[1] ?? '').split(', ').map(Number);
    expect(readings).toHaveLength(3);
    // The readings are printed to 3 significant digits (each within 0.5 %), so their ratio is within ~1 % of the exact one.
    expect(Math.abs(Number(m?.[2]) / (Math.max(...readings) / Math.min(...readings)) - 1)).toBeLessThan(0.011);
    expect(stdout).toMatch(/1cycle instead: \{"maxLR":[0-9.e-]+\}/);
  });
});

describe('chart specs', () => {
  const result: RangeTestResult = {
    mode: 'exponential',
    minLR: 1e-4,
    maxLR: 1,
    numIterations: 3,
    batchSize: 4,
    iteration: [0, 1, 2],
    lr: [1e-4, 1e-2, 1],
    loss: [2, 1, null],
    accuracy: [0.1, 0.5, null],
    accuracyKey: 'acc',
    smoothedLoss: [2, 1.5, null],
    validation: null,
    stopReason: 'non-finite-loss',
    stoppedAt: 2,
    restored: true,
  };

  test('range test: log LR axis for exponential sweeps, nulls left out, no bounds without a suggestion', () => {
    const spec = rangeTestChart(result) as { vconcat: Array<{ layer: Array<{ encoding: { x: { scale: unknown } }; data: { values: unknown[] } }> }>; title: string };
    expect(spec.vconcat).toHaveLength(2); // accuracy and loss
    expect(spec.vconcat[0].layer).toHaveLength(1); // no rules
    expect(spec.vconcat[0].layer[0].encoding.x.scale).toEqual({ type: 'log' });
    expect(spec.vconcat[0].layer[0].data.values).toHaveLength(4); // 2 raw + 2 smoothed accuracy points
    expect(spec.title).toMatch(/stopped at batch 2 \(non-finite-loss\)/);
  });

  test('schedule: one panel per recorded series; accuracy curves: one row per point', () => {
    expect((scheduleChart({ lr: [1, 2, 3] }) as { vconcat: unknown[] }).vconcat).toHaveLength(1);
    expect((scheduleChart({ lr: [1, 2, 3], momentum: [0.9, 0.8, 0.9] }) as { vconcat: unknown[] }).vconcat).toHaveLength(2);
    const acc = accuracyCurvesChart([{ name: 'fixed', iteration: [1, 2], accuracy: [0.1, 0.2] }], { target: { accuracy: 0.2, label: 'fixed best' } }) as {
      layer: Array<{ data: { values: unknown[] } }>;
    };
    expect(acc.layer).toHaveLength(3);
    expect(acc.layer[0].data.values).toEqual([
      { policy: 'fixed', iteration: 1, accuracy: 0.1 },
      { policy: 'fixed', iteration: 2, accuracy: 0.2 },
    ]);
  });

  test('accuracy curves: marks are labelled vertical rules at their iterations', () => {
    const spec = accuracyCurvesChart([{ name: 'triangular2', iteration: [0, 50, 100], accuracy: [0.1, 0.3, 0.4] }], {
      marks: [{ iteration: 50, label: 'range test re-run' }],
    }) as { layer: Array<{ mark: { type: string }; data: { values: Array<{ iteration: number; label: string }> }; encoding: { x: { field: string } } }> };
    const rule = spec.layer.find((l) => l.mark.type === 'rule');
    const text = spec.layer.find((l) => l.mark.type === 'text');
    expect(rule?.data.values).toEqual([{ iteration: 50, label: 'range test re-run' }]);
    expect(rule?.encoding.x.field).toBe('iteration');
    expect(text?.data.values[0].label).toBe('range test re-run');
    // No marks, no extra layers.
    expect((accuracyCurvesChart([{ name: 'a', iteration: [0], accuracy: [0.1] }]) as { layer: unknown[] }).layer).toHaveLength(1);
  });
});
