// The project's own extract of Proxmox's API schemas: for every operation the simulator
// serves (and so every one Steward calls), only the machine-readable parts — paths, methods,
// parameter and return types, enums, formats, ranges, permissions — without description
// text. Committed as tests/sim/schema-extract.json, so `make test` needs no ../shared.
//
//   node --import tsx tests/sim/schema/extract.ts          rewrite the extract
//   node --import tsx tests/sim/schema/extract.ts --check  exit 1 when it drifted
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Product } from '../types.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(HERE, '../../..');
/** The reference data beside the checkout (../shared/proxmox-api relative to the repo root). */
export const SHARED_API_DIR = resolve(REPO, '../shared/proxmox-api');
export const EXTRACT_FILE = join(HERE, '..', 'schema-extract.json');

/** Keys kept from a schema node; everything else (description, typetext, renderer, title, …) is text. */
const KEEP = new Set([
  'type', 'optional', 'properties', 'items', 'additionalProperties', 'enum', 'format', 'pattern',
  'minimum', 'maximum', 'minLength', 'maxLength', 'default', 'requires', 'oneOf', 'type-property', 'instance-types',
]);
const KEEP_OP = ['allowtoken', 'protected', 'proxyto', 'download_allowed'] as const;

export type Schema = {
  type?: string | string[];
  optional?: number | boolean;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: number | boolean | Schema;
  enum?: (string | number)[];
  format?: string | Record<string, Schema>;
  pattern?: string;
  minimum?: number | string;
  maximum?: number | string;
  minLength?: number;
  maxLength?: number;
  default?: unknown;
  requires?: string;
  oneOf?: Schema[];
  'type-property'?: string;
  'instance-types'?: string[];
};

export interface Operation {
  product: Product;
  method: string;
  path: string;
  parameters?: Schema;
  returns?: Schema;
  permissions?: unknown;
  allowtoken?: number;
  protected?: number;
  proxyto?: string;
}

export interface Extract {
  source: Record<Product, string>;
  /** Every operation of the schema as `METHOD /path` (for the coverage report). */
  index: Record<Product, string[]>;
  operations: Record<string, Operation>;
}

export const opKey = (product: Product, method: string, path: string) => `${product} ${method} ${path}`;

function clean(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(clean);
  if (!s || typeof s !== 'object') return s;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(s).sort()) {
    const v = (s as Record<string, unknown>)[k];
    if (!KEEP.has(k)) continue;
    if (k === 'properties') {
      const props: Record<string, unknown> = {};
      for (const p of Object.keys(v as object).sort()) props[p] = clean((v as Record<string, unknown>)[p]);
      out[k] = props;
    } else if (k === 'format' && v && typeof v === 'object' && typeof (v as { type?: unknown }).type !== 'string') {
      // a property-string format: a map of key → schema
      const f: Record<string, unknown> = {};
      for (const p of Object.keys(v).sort()) f[p] = clean((v as Record<string, unknown>)[p]);
      out[k] = f;
    } else out[k] = typeof v === 'object' ? clean(v) : v;
  }
  return out;
}

/** Permissions keep their machine-readable check; the free-text description goes. */
function cleanPermissions(p: unknown): unknown {
  if (!p || typeof p !== 'object') return p;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(p).sort()) if (k !== 'description') out[k] = (p as Record<string, unknown>)[k];
  return out;
}

interface TreeNode {
  path: string;
  info?: Record<string, Record<string, unknown>>;
  children?: TreeNode[];
}

function* walk(nodes: TreeNode[]): Generator<TreeNode> {
  for (const n of nodes) {
    yield n;
    if (n.children) yield* walk(n.children);
  }
}

export function extract(dir: string, keys: string[]): Extract {
  const ops: Record<string, Operation> = {};
  const source = {} as Record<Product, string>;
  const all = {} as Record<Product, string[]>;
  for (const product of ['pve', 'pbs'] as const) {
    const file = join(dir, `${product}-api.json`);
    source[product] = `${product}-api.json`;
    const index = new Map<string, TreeNode>();
    all[product] = [];
    for (const n of walk(JSON.parse(readFileSync(file, 'utf8')) as TreeNode[])) {
      index.set(n.path, n);
      for (const m of Object.keys(n.info ?? {})) all[product].push(`${m} ${n.path}`);
    }
    all[product].sort();
    for (const key of keys.filter((k) => k.startsWith(product + ' '))) {
      const [, method, path] = key.split(' ') as [string, string, string];
      const info = index.get(path)?.info?.[method];
      if (!info) throw new Error(`${key}: not in ${file}`);
      const op: Operation = { product, method, path };
      if (info.parameters) op.parameters = clean(info.parameters) as Schema;
      if (info.returns) op.returns = clean(info.returns) as Schema;
      if (info.permissions) op.permissions = cleanPermissions(info.permissions);
      for (const k of KEEP_OP) if (info[k] !== undefined) (op as unknown as Record<string, unknown>)[k] = info[k];
      ops[key] = op;
    }
  }
  const operations: Record<string, Operation> = {};
  for (const k of Object.keys(ops).sort()) operations[k] = ops[k]!;
  return { source, index: all, operations };
}

export function serialize(e: Extract): string {
  return JSON.stringify(e, null, 1) + '\n';
}

let cached: Extract | undefined;
/** The committed extract (what the simulator validates against at run time). */
export function loadExtract(): Extract {
  cached ??= JSON.parse(readFileSync(EXTRACT_FILE, 'utf8')) as Extract;
  return cached;
}

async function main() {
  const { allOperationKeys } = await import('../routes.ts');
  if (!existsSync(SHARED_API_DIR)) {
    console.error(`${SHARED_API_DIR} is absent: nothing to extract from`);
    process.exit(2);
  }
  const text = serialize(extract(SHARED_API_DIR, allOperationKeys()));
  if (process.argv.includes('--check')) {
    const old = existsSync(EXTRACT_FILE) ? readFileSync(EXTRACT_FILE, 'utf8') : '';
    if (old !== text) {
      console.error(`${EXTRACT_FILE} differs from a fresh extraction: run node --import tsx tests/sim/schema/extract.ts`);
      process.exit(1);
    }
    console.log('schema extract is up to date');
    return;
  }
  writeFileSync(EXTRACT_FILE, text);
  console.log(`wrote ${Object.keys(JSON.parse(text).operations).length} operations to ${EXTRACT_FILE}`);
}

// Not awaited: routes.ts imports this module back (through the router), which a top-level await would deadlock.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) void main();
