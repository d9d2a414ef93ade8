// Builds every bundle with esbuild: the three daemons (Node ESM, lmdb external) into
// dist/lib, and the web UI into dist/www. Then checks what went into each bundle:
// the root daemon must not contain hono, lmdb or anything from daemons/api, and the UI
// nothing from daemons/.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as esbuild from 'esbuild';
import { buildUi } from '../ui/build.ts';
import { checkBundleInputs } from './bundle-check.ts';

const OUT = 'dist';

const daemons = {
  'steward-api': 'daemons/api/main.ts',
  'steward-privd': 'daemons/priv/main.ts',
  'steward-admin': 'daemons/admin/main.ts',
};

export async function buildDaemons(): Promise<Record<string, esbuild.Metafile>> {
  const metas: Record<string, esbuild.Metafile> = {};
  await Promise.all(
    Object.entries(daemons).map(async ([name, entry]) => {
      const result = await esbuild.build({
        entryPoints: [entry],
        outfile: `${OUT}/lib/${name}.mjs`,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        external: ['lmdb'],
        sourcemap: 'linked',
        metafile: true,
        legalComments: 'linked',
        logLevel: 'warning',
        // CommonJS dependencies (node-forge …) call require(); give the ESM bundle one.
        banner: { js: "import { createRequire as __stewardRequire } from 'node:module'; const require = __stewardRequire(import.meta.url);" },
      });
      metas[name] = result.metafile;
    }),
  );
  return metas;
}

async function main(): Promise<void> {
  const metas = { ...(await buildDaemons()), 'steward-ui': await buildUi(`${OUT}/www`) };
  mkdirSync(`${OUT}/meta`, { recursive: true });
  for (const [name, meta] of Object.entries(metas)) writeFileSync(`${OUT}/meta/${name}.json`, JSON.stringify(meta));
  const problems = checkBundleInputs(metas);
  if (problems.length) {
    console.error(`bundle check failed:\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`built ${Object.keys(metas).join(', ')} into ${OUT}/`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
