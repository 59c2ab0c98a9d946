/**
 * The learning-rate policies the example compares, after the paper's Table 1, scaled to the run's
 * iteration budget so a short run keeps the shapes of the paper's 70,000-iteration schedules.
 */
import {
  CyclicLR,
  LRScheduler,
  constantSchedule,
  OneCycleLR,
  cyclicLearningRate,
  exponentialDecaySchedule,
  linearSchedule,
  oneCycleLearningRate,
  piecewiseConstantSchedule,
  type Schedule,
  type ScheduledLRCallback,
} from 'tfjs-clr';
import { fmtLR } from './report.js';

export const POLICIES = ['fixed', 'exp', 'decay', 'triangular', 'triangular2', 'exp_range', '1cycle', 'constant'] as const;
export type PolicyName = (typeof POLICIES)[number];

export interface PolicySettings {
  baseLR: number;
  maxLR: number;
  stepSize: number;
  /** LR of the `fixed` and `exp` baselines (the paper: Caffe's 0.001, equal to its baseLR). */
  fixedLR: number;
  /** Iterations in the run. */
  budget: number;
}

export interface Policy {
  name: PolicyName;
  /** What the policy does, in one line, with its numbers. */
  describe: string;
  /** Sets the LR every batch; its `history.lr` is what each batch used. */
  callback: ScheduledLRCallback;
  /** The LR of every iteration of the budget (for the schedules plot). */
  lrAt: Schedule;
}

/** The paper ran 70,000 iterations (fixed, exp) with steps of 2,000; scale per-iteration decays to the budget. */
const PAPER_ITERATIONS = 70000;
const PAPER_STEP = 2000;
const PAPER_GAMMA = 0.99994;

/**
 * `cycleMomentum`: the cyclic policies also cycle the optimizer's momentum (Adam: beta1) inversely to
 * the LR, 0.9 → 0.8 → 0.9 (the paper's Section 3.3 option; off by default, as in the paper's runs).
 */
export function makePolicy(name: PolicyName, s: PolicySettings, opts: { cycleMomentum?: boolean } = {}): Policy {
  const { baseLR, maxLR, stepSize, fixedLR, budget } = s;
  const momentum = opts.cycleMomentum ? { cycleMomentum: true, baseMomentum: 0.8, maxMomentum: 0.9 } : {};
  const cycling = opts.cycleMomentum ? ', momentum 0.9 ↔ 0.8' : '';
  const sched = (describe: string, lr: Schedule): Policy => ({ name, describe, callback: new LRScheduler({ lr }), lrAt: lr });
  switch (name) {
    case 'constant':
      // No schedule: what the learning-rate-free optimizers are made for (fixedLR is then their default).
      return sched(`${fmtLR(fixedLR)} throughout, no drops`, constantSchedule(fixedLR));
    case 'fixed': {
      // Caffe's cifar10_full schedule: ×0.1 at 60,000 and 65,000 of 70,000 iterations.
      const d1 = Math.round((budget * 60000) / PAPER_ITERATIONS);
      const d2 = Math.round((budget * 65000) / PAPER_ITERATIONS);
      return sched(`${fmtLR(fixedLR)}, ×0.1 at iterations ${d1} and ${d2} (Caffe's 60k/65k of 70k)`, piecewiseConstantSchedule({ boundaries: [d1, d2], values: [fixedLR, fixedLR * 0.1, fixedLR * 0.1 ** 2] }));
    }
    case 'exp': {
      const gamma = PAPER_GAMMA ** (PAPER_ITERATIONS / budget);
      return sched(`${fmtLR(fixedLR)} × ${gamma.toPrecision(6)}^i (Caffe's exp, 0.99994 over 70k, scaled)`, exponentialDecaySchedule({ from: fixedLR, steps: 1, rate: gamma }));
    }
    case 'decay':
      return sched(`${fmtLR(maxLR)} → ${fmtLR(baseLR)} linearly over ${stepSize} iterations, then ${fmtLR(baseLR)} (the paper's ablation)`, linearSchedule({ from: maxLR, to: baseLR, steps: stepSize }));
    case 'triangular':
    case 'triangular2': {
      const cb = new CyclicLR({ baseLR, maxLR, stepSize, mode: name, ...momentum });
      return { name, describe: `CyclicLR ${name}, ${fmtLR(baseLR)} ↔ ${fmtLR(maxLR)}, stepSize ${stepSize}${cycling}`, callback: cb, lrAt: cyclicLearningRate({ baseLR, maxLR, stepSize, mode: name }) };
    }
    case 'exp_range': {
      const gamma = PAPER_GAMMA ** (PAPER_STEP / stepSize);
      const cb = new CyclicLR({ baseLR, maxLR, stepSize, mode: 'exp_range', gamma, ...momentum });
      return { name, describe: `CyclicLR exp_range, ${fmtLR(baseLR)} ↔ ${fmtLR(maxLR)}, stepSize ${stepSize}, gamma ${gamma.toPrecision(6)} (0.99994 per 2,000-step, scaled)${cycling}`, callback: cb, lrAt: cyclicLearningRate({ baseLR, maxLR, stepSize, mode: 'exp_range', gamma }) };
    }
    case '1cycle': {
      const cb = new OneCycleLR({ maxLR, totalSteps: budget });
      return { name, describe: `OneCycleLR to ${fmtLR(maxLR)} over ${budget} iterations, momentum 0.95 → 0.85 → 0.95 where the optimizer has one`, callback: cb, lrAt: oneCycleLearningRate({ maxLR, totalSteps: budget }) };
    }
  }
}
