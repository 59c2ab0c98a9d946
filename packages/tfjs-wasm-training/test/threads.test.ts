/**
 * The threaded wasm (threads.ts) and the helper thread for JS kernels (helper.ts),
 * in their own process: the fast kernels there match the cpu backend, with the helper doing its share.
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');
const fixture = path.join(__dirname, 'fixtures', 'threaded-kernels.ts');

test('threaded wasm + helper thread: conv, max- and average-pool gradients, the batch-last transpose and sums match the cpu backend to 1e-4', () => {
  const out = execFileSync(path.join(root, 'node_modules', '.bin', 'tsx'), [fixture], { cwd: root, encoding: 'utf8' });
  const r = JSON.parse(out.trim().split('\n').pop() as string) as Record<string, number>;
  for (const k of ['odd batch dx', 'odd batch dW', 'ties dx', 'ties dW', 'sum']) expect(r[k]).toBeLessThan(1e-4);
  if (cpus().length > 1) {
    expect(r.threads).toBe(cpus().length);
    expect(r.poolThreads).toBe(cpus().length);
    // 2 cases × (max + avg pool gradient + dy transposed for dW), the big sum.
    expect(r.helperJobs).toBe(7);
    // The heap grew after each case; the same helper carried on with the new buffer.
    expect([r['odd batch heap grew'], r['ties heap grew']]).toEqual([1, 1]);
    expect(r.helperStarts).toBe(1);
  }
}, 120000);
