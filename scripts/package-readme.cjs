// The README as the npm registry shows it. npm renders the README inside the tarball, where the
// repository's relative paths (docs/demo.png, bench/RESULTS.md, examples/…) lead nowhere. `npm pack`
// and `npm publish` run this before packing (prepack) and after (postpack):
//
// - prepack: README.md is kept aside as .README.md.orig and rewritten: images the package ships (its
//   "files" lists docs/range-test.svg, docs/schedules.svg, docs/demo.png) point at jsDelivr's copy of
//   this very version of the package; other relative links and images point at the repository when
//   package.json names one, else stay as they are (listed in a warning: set "repository" to fix them;
//   the images can then leave "files").
// - postpack: README.md is put back.
//
// Node only (run by npm); the rewrite is a pure function, exported for test/package-readme.test.ts.
'use strict';
const { existsSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const path = require('node:path');

/**
 * Rewrites the relative links and images of a README for the registry.
 * @param {string} text the README
 * @param {{ name: string, version: string, repository?: string | null, shipped: (file: string) => boolean }} pkg
 *   `repository`: a browsable https URL of the repository (e.g. https://github.com/o/r), or null
 * @returns {{ text: string, unresolved: string[] }} the new README and the links left relative
 */
function registryReadme(text, pkg) {
  const unresolved = [];
  const cdn = (file) => `https://cdn.jsdelivr.net/npm/${pkg.name}@${pkg.version}/${file}`;
  const out = text.replace(/(!?)\[([^\]]*)\]\(([^)\s]+)\)/g, (whole, bang, label, target) => {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) return whole; // absolute, or an anchor here
    const [file, anchor = ''] = target.split(/(?=#)/);
    const clean = path.posix.normalize(file).replace(/^\.\//, '');
    if (bang && pkg.shipped(clean)) return `![${label}](${cdn(clean)})`;
    const repo = pkg.repository?.replace(/\/$/, '');
    if (repo) return `${bang}[${label}](${repo}/${bang ? 'raw' : 'blob'}/HEAD/${clean}${anchor})`;
    if (pkg.shipped(clean)) return `${bang}[${label}](${cdn(clean)}${anchor})`;
    unresolved.push(target);
    return whole;
  });
  return { text: out, unresolved };
}

/**
 * Whether package.json's "files" ships `file`: listed itself, under a listed folder, or matched by a
 * listed pattern (a star: characters of one path segment; two stars and a slash: any folders).
 * @param {string[]} files
 * @param {string} file
 */
function isListed(files, file) {
  return files.some((entry) => {
    if (entry.includes('*')) {
      const escape = (p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
      const pattern = entry.split('**/').map((part) => part.split('*').map(escape).join('[^/]*')).join('(?:.*/)?');
      return new RegExp(`^${pattern}$`).test(file);
    }
    return file === entry || file.startsWith(`${entry.replace(/\/$/, '')}/`);
  });
}

/** A browsable URL from package.json's `repository` (string or { url }), or null. */
function repositoryUrl(repository) {
  const raw = typeof repository === 'string' ? repository : repository?.url;
  if (!raw) return null;
  const gh = /^github:(.+)$/.exec(raw) ?? /^([\w.-]+\/[\w.-]+)$/.exec(raw);
  if (gh) return `https://github.com/${gh[1]}`;
  return raw.replace(/^git\+/, '').replace(/\.git$/, '').replace(/^git:\/\//, 'https://');
}

function main(step) {
  const root = path.resolve(__dirname, '..');
  const readme = path.join(root, 'README.md');
  const kept = path.join(root, '.README.md.orig');
  if (step === 'postpack') {
    if (existsSync(kept)) renameSync(kept, readme);
    return;
  }
  if (existsSync(kept)) throw new Error(`${kept} exists: a pack was interrupted; check it against README.md, then move it back or delete it`);
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const shipped = (file) => isListed(pkg.files ?? [], file) && existsSync(path.join(root, file));
  const { text, unresolved } = registryReadme(readFileSync(readme, 'utf8'), { name: pkg.name, version: pkg.version, repository: repositoryUrl(pkg.repository), shipped });
  writeFileSync(kept, readFileSync(readme));
  const tmp = `${readme}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, readme); // atomic: a reader sees the old README or the new one, never half of one
  if (unresolved.length > 0) {
    process.stderr.write(`package README: ${unresolved.length} relative links stay relative (package.json has no "repository"): ${[...new Set(unresolved)].join(', ')}\n`);
  }
}

module.exports = { isListed, registryReadme, repositoryUrl };
if (require.main === module) main(process.argv[2]);
