/**
 * The API reference (docs/api, TypeDoc markdown): generated without a warning (so an export without a
 * doc comment fails here), and the committed copy is what the sources generate now.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');

function files(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name), base) : [path.relative(base, path.join(dir, e.name))])).sort();
}

test('typedoc builds docs/api with no warning, and the committed reference is up to date (npm run docs:api)', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'tfjs-clr-api-'));
  try {
    // treatWarningsAsErrors (typedoc.json): an undocumented export makes this throw.
    execFileSync(path.join(root, 'node_modules', '.bin', 'typedoc'), ['--out', out], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
    const committed = path.join(root, 'docs', 'api');
    expect(files(out)).toEqual(files(committed));
    const stale = files(out).filter((f) => readFileSync(path.join(out, f), 'utf8') !== readFileSync(path.join(committed, f), 'utf8'));
    expect(stale).toEqual([]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 120000);
