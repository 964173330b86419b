// Builds the explorer page into gateway/static/explorer/ (committed, so the Python package
// needs neither npm nor a network): Monaco's three workers first, then the page bundle (one
// iife + one CSS, fonts as data: URLs) that knows the workers' hashed names, then index.html.
import { createRequire } from 'node:module';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = path.resolve(here, '../gateway/static/explorer');
const require = createRequire(import.meta.url);

const WORKERS = {
  editor: 'monaco-editor/esm/vs/editor/editor.worker.js',
  json: 'monaco-editor/esm/vs/language/json/json.worker.js',
  graphql: 'monaco-graphql/esm/graphql.worker.js',
};

// Only the fetcher's websocket path imports graphql-ws; the gateway has no subscriptions.
const noSubscriptions = {
  name: 'no-subscriptions',
  setup(build) {
    build.onResolve({ filter: /^graphql-ws$/ }, () => ({ path: 'graphql-ws', namespace: 'stub' }));
    build.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents: 'export function createClient() { throw new Error("subscriptions are not supported"); }',
    }));
  },
};

const common = {
  absWorkingDir: here,
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2022'],
  charset: 'utf8',
  entryNames: '[name]-[hash]',
  outdir,
  metafile: true,
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
};

function outputsByEntry(metafile) {
  const names = {};
  for (const [file, output] of Object.entries(metafile.outputs)) {
    const base = path.basename(file);
    if (output.entryPoint) names[base.endsWith('.css') ? 'css' : output.entryPoint] = base;
    else if (base.endsWith('.css')) names.css = base;
  }
  return names;
}

await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });

const workerEntries = Object.fromEntries(
  Object.entries(WORKERS).map(([label, module]) => [`${label}.worker`, require.resolve(module)]),
);
const workers = await esbuild.build({ ...common, entryPoints: workerEntries });
const workerFiles = {};
for (const [file, output] of Object.entries(workers.metafile.outputs)) {
  const label = Object.keys(WORKERS).find((l) => output.entryPoint === path.relative(here, workerEntries[`${l}.worker`]));
  workerFiles[label] = path.basename(file);
}

const page = await esbuild.build({
  ...common,
  entryPoints: { explorer: 'src/explorer.jsx' },
  jsx: 'automatic',
  loader: { '.ttf': 'dataurl', '.woff': 'dataurl', '.woff2': 'dataurl', '.svg': 'dataurl', '.png': 'dataurl' },
  define: { ...common.define, MONACO_WORKERS: JSON.stringify(workerFiles) },
  plugins: [noSubscriptions],
});
const pageFiles = outputsByEntry(page.metafile);
const js = pageFiles['src/explorer.jsx'];
const css = pageFiles.css;

const template = await readFile(path.join(here, 'src/index.html'), 'utf8');
const html = template.replace('{{js}}', js).replace('{{css}}', css);
await writeFile(path.join(outdir, 'index.html'), html);

for (const name of [js, css, ...Object.values(workerFiles), 'index.html']) console.log(name);
