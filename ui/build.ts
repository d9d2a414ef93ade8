// Bundles the web UI with esbuild: content-hashed assets and an index.html that
// references them (no inline script or style, for the strict CSP).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import * as esbuild from 'esbuild';

export async function buildUi(outdir: string): Promise<esbuild.Metafile> {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(`${outdir}/assets`, { recursive: true });
  const result = await esbuild.build({
    entryPoints: { app: 'ui/src/main.ts' },
    outdir: `${outdir}/assets`,
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    assetNames: '[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome123', 'firefox120', 'safari17.5'],
    minify: true,
    sourcemap: 'linked',
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const entry = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint === 'ui/src/main.ts')?.[0];
  if (!entry) throw new Error('UI entry point missing from the build');
  const css = Object.keys(result.metafile.outputs).find((o) => o.endsWith('.css'));
  let html = readFileSync('ui/index.html', 'utf8').replace('%APP%', `/assets/${basename(entry)}`);
  html = html.replace('%CSS%', css ? `<link rel="stylesheet" href="/assets/${basename(css)}">` : '');
  writeFileSync(`${outdir}/index.html`, html);
  return result.metafile;
}
