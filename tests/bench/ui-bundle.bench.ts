// UI bundle size: what the browser downloads before the dashboard is usable (the entry, its
// static imports and the stylesheet), gzipped, against the 150 kB goal; and each lazy chunk.
// Reads the esbuild metafile of the last `make build`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Metafile } from 'esbuild';
import { DIST } from '../harness/stack.ts';

const GOAL_KB = 150;

const meta = JSON.parse(readFileSync(join(DIST, 'meta', 'steward-ui.json'), 'utf8')) as Metafile;
const gz = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length;
const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;

const entry = Object.entries(meta.outputs).find(([, o]) => o.entryPoint === 'ui/src/main.ts');
if (!entry) throw new Error('no UI entry in the metafile: run make build');

// The shell: the entry plus everything it imports statically (not the lazy `import()`s).
const shell = new Set<string>();
const walk = (file: string) => {
  if (shell.has(file)) return;
  shell.add(file);
  for (const imp of meta.outputs[file]?.imports ?? []) if (imp.kind === 'import-statement') walk(imp.path);
};
walk(entry[0]);
const css = Object.keys(meta.outputs).filter((f) => f.endsWith('.css'));
const shellFiles = [...shell, ...css];
const shellGz = shellFiles.reduce((sum, f) => sum + gz(f), 0);

console.log(`shell + dashboard (${shellFiles.length} files): ${kb(shellGz)} gzip (goal ≤ ${GOAL_KB} kB)`);
const lazy = Object.keys(meta.outputs).filter((f) => f.endsWith('.js') && !shell.has(f));
for (const f of lazy.sort()) {
  const inputs = Object.keys(meta.outputs[f]!.inputs).filter((i) => i.startsWith('ui/src/views') || i.includes('node_modules/zod/v4/classic'));
  console.log(`  lazy ${f.split('/').pop()}: ${kb(gz(f))} gzip ${inputs.length ? `(${inputs.map((i) => i.split('/').pop()).slice(0, 4).join(', ')})` : ''}`);
}
if (shellGz > GOAL_KB * 1024) {
  console.error(`the shell is over the ${GOAL_KB} kB goal`);
  process.exit(1);
}
