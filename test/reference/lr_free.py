"""
Independent float64 references for tfjs-clr's learning-rate-free optimizers (src/optimizers), written
from the papers' algorithm boxes with NumPy, not from the TypeScript. Writes
test/fixtures/lr-free-reference.json, which test/lr-free-optimizers.test.ts replays step by step.

    python3 test/reference/lr_free.py      # NumPy only (Debian: python3-numpy)

The problem: least squares, loss = mean((X @ W + b - T)**2) over all 4x2 entries; gradients exact.
"""
import json
import math
import os

import numpy as np

rng = np.random.default_rng(7)
X = rng.uniform(-1, 1, (4, 3))
T = rng.uniform(-1, 1, (4, 2))
W0 = rng.uniform(-0.5, 0.5, (3, 2))
B0 = rng.uniform(-0.5, 0.5, (2,))
STEPS = 20


def grads(params):
    W, b = params
    r = X @ W + b - T
    scale = 2.0 / r.size
    return [scale * X.T @ r, scale * r.sum(axis=0)]


def state(step, scalars, slots, weights):
    """The optimizer's state before a step, named as the optimizers save it (for the one-step checks)."""
    return {
        'step': step,
        'scalars': {k: float(v) for k, v in scalars.items()},
        'slots': {k: [np.ravel(p).tolist() for p in v] for k, v in slots.items()},
        'weights': [np.ravel(p).tolist() for p in weights],
    }


def schedule_free(opts, adam):
    """Defazio et al. 2024, Algorithm 1 (AdamW) and its SGD form; reference-package choices:
    bias correction inside the root, eps outside, weights lr_max**power * (t+1)**r."""
    lr0 = opts.get('learningRate', 0.0025 if adam else 1.0)
    beta = opts.get('beta1' if adam else 'momentum', 0.9)
    beta2 = opts.get('beta2', 0.999)
    eps = opts.get('epsilon', 1e-8)
    lam = opts.get('weightDecay', 0.0)
    warm = opts.get('warmupSteps', 0)
    r = opts.get('r', 0.0)
    power = opts.get('weightLRPower', 2.0)
    x = [W0.copy(), B0.copy()]
    z = [W0.copy(), B0.copy()]
    v = [np.zeros_like(W0), np.zeros_like(B0)]
    weight_sum, lr_max = 0.0, -1.0
    out = []
    for t in range(STEPS):
        slots = {'z': z, 'x': x} if not adam else {'z': z, 'x': x, 'v': v}
        before = state(t, {'weight_sum': weight_sum, 'lr_max': lr_max}, slots, x)
        y = [beta * xi + (1 - beta) * zi for xi, zi in zip(x, z)]
        g = grads(y)
        gamma = lr0 * min(1.0, (t + 1) / warm) if warm > 0 else lr0
        lr_max = max(lr_max, gamma)
        w = (t + 1) ** r * lr_max ** power
        weight_sum += w
        c = w / weight_sum
        for i in range(2):
            if adam:
                v[i] = beta2 * v[i] + (1 - beta2) * g[i] ** 2
                direction = g[i] / (np.sqrt(v[i] / (1 - beta2 ** (t + 1))) + eps)
            else:
                direction = g[i]
            z[i] = z[i] - gamma * (direction + lam * y[i])
            x[i] = (1 - c) * x[i] + c * z[i]
        y_next = [beta * xi + (1 - beta) * zi for xi, zi in zip(x, z)]
        out.append({'before': before, 'eval': [p.ravel().tolist() for p in x], 'grad': [p.ravel().tolist() for p in y_next]})
    return out


def prodigy(opts):
    """Mishchenko & Defazio 2024, Algorithm 3 (Adam version); prodigyopt choices: no (1-beta3) factor
    (it cancels in r/|s|_1), d_max-based update, eps scaled by the new d, decoupled decay with old d."""
    lr = opts.get('learningRate', 1.0)
    b1 = opts.get('beta1', 0.9)
    b2 = opts.get('beta2', 0.999)
    b3 = opts.get('beta3', math.sqrt(b2))
    eps = opts.get('epsilon', 1e-8)
    lam = opts.get('weightDecay', 0.0)
    decouple = opts.get('decouple', True)
    bias = opts.get('useBiasCorrection', False)
    d0 = opts.get('d0', 1e-6)
    dcoef = opts.get('dCoef', 1.0)
    growth = opts.get('growthRate', math.inf)
    x = [W0.copy(), B0.copy()]
    x0 = [W0.copy(), B0.copy()]
    m = [np.zeros_like(W0), np.zeros_like(B0)]
    v = [np.zeros_like(W0), np.zeros_like(B0)]
    s = [np.zeros_like(W0), np.zeros_like(B0)]
    d, d_max, rnum = d0, d0, 0.0
    out = []
    for k in range(STEPS):
        slots = {'p0': x0, 's': s, 'm': m, 'v': v} if b1 > 0 else {'p0': x0, 's': s, 'v': v}
        before = state(k, {'d': d, 'd_max': d_max, 'd_numerator': rnum}, slots, x)
        g = grads(x)
        if lam and not decouple:
            g = [gi + lam * xi for gi, xi in zip(g, x)]
        corr = math.sqrt(1 - b2 ** (k + 1)) / (1 - b1 ** (k + 1)) if bias else 1.0
        dlr = d * lr * corr
        rnum = b3 * rnum + (d / d0) * dlr * sum(float(np.sum(gi * (x0i - xi))) for gi, x0i, xi in zip(g, x0, x))
        for i in range(2):
            m[i] = b1 * m[i] + (1 - b1) * d * g[i]
            v[i] = b2 * v[i] + (1 - b2) * d * d * g[i] ** 2
            s[i] = b3 * s[i] + (d / d0) * dlr * g[i]
        snorm = sum(float(np.abs(si).sum()) for si in s)
        d_hat = dcoef * rnum / snorm
        d_start = max(d, d_hat) if d == d0 else d
        d_max = max(d_max, d_hat)
        d_new = min(d_max, d_start * growth)
        for i in range(2):
            if lam and decouple:
                x[i] = x[i] - lam * dlr * x[i]
            x[i] = x[i] - dlr * m[i] / (np.sqrt(v[i]) + d_new * eps)
        d = d_new
        out.append({'before': before, 'eval': [p.ravel().tolist() for p in x], 'd': d})
    return out


def dog(opts):
    """Ivgi et al. 2023, Algorithm 1 (DoG / L-DoG) and the polynomial-decay average of its section 4.2."""
    c = opts.get('learningRate', 1.0)
    reps = opts.get('repsRel', 1e-6)
    lam = opts.get('weightDecay', 0.0)
    eps = opts.get('epsilon', 1e-8)
    layer = opts.get('layerwise', False)
    gamma = opts.get('averaging', 8)
    x = [W0.copy(), B0.copy()]
    x0 = [W0.copy(), B0.copy()]
    avg = [W0.copy(), B0.copy()]
    groups = [[0], [1]] if layer else [[0, 1]]
    rbar = [0.0] * len(groups)
    G = [0.0] * len(groups)
    out = []
    for t in range(STEPS):
        slots = {'x0': x0}
        if gamma is not False:
            slots.update({'x': x, 'average': avg})
        if layer:
            slots.update({'rbar': [np.array(r) for r in rbar], 'G': [np.array(q) for q in G]})
        before = state(t, {} if layer else {'rbar': rbar[0], 'G': G[0]}, slots, x if gamma is False else avg)
        g = [gi + lam * xi for gi, xi in zip(grads(x), x)]
        etas = [0.0, 0.0]
        for j, grp in enumerate(groups):
            gsq = sum(float(np.sum(g[i] ** 2)) for i in grp)
            if t == 0:
                rbar[j] = reps * (1 + math.sqrt(sum(float(np.sum(x0[i] ** 2)) for i in grp)))
                G[j] = gsq + eps
            else:
                rbar[j] = max(rbar[j], math.sqrt(sum(float(np.sum((x[i] - x0[i]) ** 2)) for i in grp)))
                G[j] += gsq
            for i in grp:
                etas[i] = c * rbar[j] / math.sqrt(G[j])
        x = [xi - etas[i] * g[i] for i, xi in enumerate(x)]
        if gamma is False:
            out.append({'before': before, 'eval': [p.ravel().tolist() for p in x]})
            continue
        w = (gamma + 1) / (t + 1 + gamma)
        avg = [(1 - w) * a + w * xi for a, xi in zip(avg, x)]
        out.append({'before': before, 'eval': [p.ravel().tolist() for p in avg], 'grad': [p.ravel().tolist() for p in x]})
    return out


CASES = [
    ('scheduleFreeSGD', {}, lambda o: schedule_free(o, False)),
    ('scheduleFreeSGD', {'learningRate': 0.3, 'momentum': 0.8, 'weightDecay': 0.01, 'warmupSteps': 3, 'r': 0.5, 'weightLRPower': 1.0}, lambda o: schedule_free(o, False)),
    ('scheduleFreeAdamW', {}, lambda o: schedule_free(o, True)),
    ('scheduleFreeAdamW', {'learningRate': 0.05, 'beta1': 0.8, 'beta2': 0.99, 'weightDecay': 0.1, 'warmupSteps': 4}, lambda o: schedule_free(o, True)),
    ('prodigy', {}, prodigy),
    ('prodigy', {'beta1': 0.0, 'weightDecay': 0.1, 'decouple': False, 'useBiasCorrection': True, 'dCoef': 0.5, 'growthRate': 1.5}, prodigy),
    ('prodigy', {'weightDecay': 0.1, 'learningRate': 0.5, 'd0': 1e-4}, prodigy),
    ('dog', {}, dog),
    ('dog', {'layerwise': True, 'weightDecay': 0.01, 'repsRel': 1e-3}, dog),
    ('dog', {'averaging': False, 'learningRate': 0.5, 'repsRel': 1e-4}, dog),
]

if __name__ == '__main__':
    fixture = {
        'generatedBy': 'python3 test/reference/lr_free.py (NumPy %s, float64)' % np.__version__,
        'problem': {'X': X.tolist(), 'T': T.tolist(), 'W0': W0.tolist(), 'b0': B0.tolist()},
        'cases': [{'optimizer': name, 'options': opts, 'steps': run(opts)} for name, opts, run in CASES],
    }
    path = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'lr-free-reference.json')
    with open(path, 'w') as f:
        json.dump(fixture, f)
    print('wrote', os.path.normpath(path))
