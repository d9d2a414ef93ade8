// What each bundle may contain. The root daemon stays small and free of the web stack;
// the browser bundle never contains daemon code.
import type { Metafile } from 'esbuild';

const RULES: Record<string, RegExp[]> = {
  'steward-privd': [/node_modules\/hono\//, /node_modules\/@hono\//, /node_modules\/lmdb\//, /^daemons\/api\//],
  'steward-ui': [/^daemons\//],
};

export function checkBundleInputs(metas: Record<string, Metafile>): string[] {
  const problems: string[] = [];
  for (const [bundle, forbidden] of Object.entries(RULES)) {
    const meta = metas[bundle];
    if (!meta) {
      problems.push(`${bundle}: no metafile`);
      continue;
    }
    const inputs = [...Object.keys(meta.inputs), ...Object.values(meta.outputs).flatMap((o) => o.imports.map((i) => i.path))];
    for (const input of inputs) {
      if (forbidden.some((re) => re.test(input))) problems.push(`${bundle} must not contain ${input}`);
    }
  }
  return problems;
}
