// Bundle the practice network for a package: chopsticks and our helper
// scripts become a few self-contained files that need only Node.js, so an
// installed app has no node_modules (272 MB here) and no repository.
// Usage: node bundle.cjs <out-dir>
//
// What lands in <out-dir>:
//   chopsticks.cjs          chopsticks' CLI with every JS dependency inlined
//   node-wasm-executor.js   its wasm executor worker: chopsticks starts it as a
//                           worker thread by file name, next to the file that
//                           starts it (new URL('node-wasm-executor.js', __filename)),
//                           so it must stay a file of its own
//   metadata.cjs            our offline metadata reader, bundled the same way
//   parent-watch.cjs        copied as it is (no dependencies)
//   node_sqlite3.node       sqlite3's prebuilt x86-64 native module (chopsticks'
//                           block database); a native module cannot be inlined
//   pino-*.js, thread-stream-worker.js
//                           chopsticks' logger (pino) writes through worker
//                           threads it starts by module name ('pino-pretty');
//                           pino looks such names up in
//                           globalThis.__bundlerPathsOverrides first, which the
//                           banner of every bundle points at these files
'use strict';
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

// Absolute: esbuild resolves outdir against absWorkingDir (this folder), not the caller's cwd.
const out = process.argv[2] && path.resolve(process.argv[2]);
if (!out) {
  console.error('usage: node bundle.cjs <out-dir>');
  process.exit(2);
}
const here = __dirname;
const modules = path.join(here, 'node_modules');
const NATIVE = 'node_sqlite3.node';

// sqlite3 finds its native module with the `bindings` package, which searches
// the package's own build folders; in the bundle the module sits beside it.
const sqliteBesideBundle = {
  name: 'sqlite3-beside-bundle',
  setup(build) {
    build.onLoad({ filter: /sqlite3[\\/]lib[\\/]sqlite3-binding\.js$/ }, () => ({
      contents: `module.exports = require(require('path').join(__dirname, ${JSON.stringify(NATIVE)}));`,
      loader: 'js',
    }));
  },
};

// pino's own names for the files it starts as workers -> their sources.
const PINO_WORKERS = {
  'pino-worker': 'pino/lib/worker.js',
  'pino-file': 'pino/file.js',
  'pino-pretty': 'pino-pretty/index.js',
  'thread-stream-worker': 'thread-stream/lib/worker.js',
};
const pinoOverrides =
  'globalThis.__bundlerPathsOverrides = {' +
  Object.keys(PINO_WORKERS)
    .map((name) => `${JSON.stringify(name === 'pino-file' ? 'pino/file' : name)}: require('path').join(__dirname, ${JSON.stringify(name + '.js')})`)
    .join(', ') +
  '};';

async function main() {
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  const common = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
    absWorkingDir: here,
    plugins: [sqliteBesideBundle],
    // ES modules inlined into CommonJS (yargs-parser: createRequire(import.meta.url))
    // get the bundle file's own URL, which is what they mean by it.
    banner: { js: `const __importMetaUrl = require('url').pathToFileURL(__filename).href; ${pinoOverrides}` },
    define: { 'import.meta.url': '__importMetaUrl' },
    outdir: out,
  };
  const core = path.join(modules, '@acala-network/chopsticks-core/dist/cjs/wasm-executor');
  await esbuild.build({
    ...common,
    entryPoints: {
      chopsticks: path.join(modules, '@acala-network/chopsticks/chopsticks.cjs'),
      metadata: path.join(here, 'metadata.cjs'),
    },
    outExtension: { '.js': '.cjs' },
  });
  const workers = { 'node-wasm-executor': path.join(core, 'node-wasm-executor.js') };
  for (const [name, source] of Object.entries(PINO_WORKERS)) workers[name] = path.join(modules, source);
  await esbuild.build({ ...common, entryPoints: workers });
  fs.copyFileSync(path.join(here, 'parent-watch.cjs'), path.join(out, 'parent-watch.cjs'));
  fs.copyFileSync(path.join(modules, 'sqlite3/build/Release', NATIVE), path.join(out, NATIVE));
  for (const f of ['chopsticks.cjs', 'metadata.cjs', 'node-wasm-executor.js', ...Object.keys(PINO_WORKERS).map((n) => n + '.js')]) {
    if (!fs.existsSync(path.join(out, f))) throw new Error(`the bundle lacks ${f}`);
  }
  for (const f of fs.readdirSync(out).sort()) {
    console.log(`${f}\t${fs.statSync(path.join(out, f)).size}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
