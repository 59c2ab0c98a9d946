/**
 * Builds the demo page into examples/browser/dist — index.html, app.js (esbuild: one bundle with one
 * copy of tfjs), digits.bin (the MNIST sample, digits.ts) and wasm/ (the wasm backend's binaries) — a
 * folder that works as it is from any static server, and serves it on localhost.
 *
 *   npm run demo                 # http://localhost:8080
 *   npm run demo -- --port 9000
 */
import { copyFileSync, createReadStream, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { writeDigits } from './digits.js';

const here = __dirname;
const out = path.join(here, 'dist');
const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
  '.bin': 'application/octet-stream',
};

/** Writes the page's folder: the bundle of app.ts, index.html, digits.bin and the wasm binaries. */
export async function buildDemo(): Promise<void> {
  if (!existsSync(path.resolve(here, '../../dist/esm/index.js'))) {
    throw new Error('the library is not built: run `npm run build` first (npm run demo does)');
  }
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: [path.join(here, 'app.ts')],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2020',
    outfile: path.join(out, 'app.js'),
    sourcemap: true,
    logLevel: 'warning',
    // tfjs-node and Node built-ins are never part of the page.
    external: ['@tensorflow/tfjs-node', 'fs', 'path', 'os', 'worker_threads', 'perf_hooks', 'crypto', 'util'],
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  copyFileSync(path.join(here, 'index.html'), path.join(out, 'index.html'));
  mkdirSync(path.join(out, 'wasm'), { recursive: true });
  for (const f of readdirSync(path.join(wasmDir, 'dist')).filter((n) => n.endsWith('.wasm'))) copyFileSync(path.join(wasmDir, 'dist', f), path.join(out, 'wasm', f));
  if (!existsSync(path.join(out, 'digits.bin'))) writeDigits(path.join(out, 'digits.bin'));
}

/** Serves the built folder (nothing outside it: what works here works copied anywhere). */
export function serveDemo(port: number, host = '127.0.0.1'): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const name = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
    const file = path.join(out, ...name.split('/').filter((p) => p !== '..' && p !== ''));
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

if (require.main === module) {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '8080' } } });
  (async () => {
    await buildDemo();
    const port = Number(values.port);
    await serveDemo(port);
    console.log(`tfjs-clr demo: http://localhost:${port}/  (Ctrl-C to stop)`);
  })().catch((e: unknown) => {
    console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
