// Keeps the declarations honest: every route has a permission and schemas, every input
// is strict and bounded, every error code is documented, privd's handlers match its table,
// and the bundles contain only what they may.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { Metafile } from 'esbuild';
import { ERROR_CATALOGUE } from '../../../shared/errors.ts';
import { PRIVD_METHOD_NAMES } from '../../../shared/privd-methods.ts';
import { HANDLERS } from '../../priv/methods/index.ts';
import { checkBundleInputs } from '../../bundle-check.ts';
import { ROUTES } from '../routes/index.ts';
import { jsonSchema } from './openapi.ts';

type Js = Record<string, unknown>;

/** Paths (within the schema) of strings without a length bound and arrays without maxItems. */
export function unboundedParts(schema: Js, at = ''): string[] {
  const out: string[] = [];
  const type = schema.type;
  if (type === 'string' && schema.maxLength === undefined && schema.enum === undefined && schema.const === undefined) out.push(`${at || '(root)'}: string without maxLength`);
  if (type === 'array' && schema.maxItems === undefined) out.push(`${at || '(root)'}: array without maxItems`);
  if (type === 'object' && schema.additionalProperties !== false && schema.properties !== undefined) out.push(`${at || '(root)'}: object accepts unknown keys`);
  if (type === 'object' && schema.additionalProperties && typeof schema.additionalProperties === 'object') out.push(`${at || '(root)'}: open-ended map`);
  for (const [k, v] of Object.entries((schema.properties as Record<string, Js>) ?? {})) out.push(...unboundedParts(v, `${at}.${k}`));
  if (schema.items && typeof schema.items === 'object') out.push(...unboundedParts(schema.items as Js, `${at}[]`));
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    for (const [i, v] of ((schema[key] as Js[]) ?? []).entries()) out.push(...unboundedParts(v, `${at}|${i}`));
  }
  return out;
}

test('every route declares a summary, tags, a permission, an audit decision and an output schema', () => {
  for (const r of ROUTES) {
    const name = `${r.method} ${r.path}`;
    assert.ok(r.summary, `${name}: summary`);
    assert.ok(r.tags.length > 0, `${name}: tags`);
    assert.ok(r.output, `${name}: output schema`);
    assert.ok(r.audit === false || /^[a-z-]+(\.[a-z-]+)+$/.test(r.audit), `${name}: audit must be false or an action name`);
    const p = r.permission as Record<string, unknown>;
    const kinds = ['public', 'authenticated', 'path'].filter((k) => k in p);
    assert.equal(kinds.length, 1, `${name}: exactly one kind of permission`);
    if ('path' in p) {
      assert.match(String(p.path), /^\/(|system|access|remotes|groups|views)(\/|$)/, `${name}: ACL path`);
      assert.ok(['audit', 'manage', 'admin'].includes(String(p.privilege)), `${name}: privilege`);
      for (const m of String(p.path).matchAll(/\{(\w+)\}/g)) assert.ok(r.params?.shape[m[1]!], `${name}: ACL path parameter ${m[1]} must be a path parameter`);
      if (p.viewResource !== undefined) {
        assert.ok(r.params?.shape.remote, `${name}: a view-granted route names its {remote}`);
        for (const m of String(p.viewResource).matchAll(/\{(\w+)\}/g)) assert.ok(r.params?.shape[m[1]!], `${name}: view resource parameter ${m[1]} must be a path parameter`);
      }
    }
    if (r.method !== 'GET' && 'public' in p) assert.ok(r.path.startsWith('/access/ticket'), `${name}: only login may change state without authentication`);
  }
});

test('route paths are unique and their parameters declared', () => {
  const seen = new Set<string>();
  for (const r of ROUTES) {
    const key = `${r.method} ${r.path}`;
    assert.ok(!seen.has(key), `duplicate route ${key}`);
    seen.add(key);
    const names = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    assert.deepEqual(Object.keys(r.params?.shape ?? {}).sort(), [...names].sort(), `${key}: params schema matches the path`);
  }
});

test('every input is strict and bounded (strings have maxLength, arrays maxItems)', () => {
  const problems: string[] = [];
  for (const r of ROUTES) {
    for (const [where, schema] of [['params', r.params], ['query', r.query], ['body', r.body]] as const) {
      if (!schema) continue;
      const js = jsonSchema(schema, 'input');
      if (js.additionalProperties !== false) problems.push(`${r.method} ${r.path} ${where}: not strict`);
      problems.push(...unboundedParts(js).map((p) => `${r.method} ${r.path} ${where}${p}`));
    }
  }
  assert.deepEqual(problems, []);
});

test('the boundedness check itself catches unbounded inputs', async () => {
  const { z } = await import('zod');
  assert.deepEqual(unboundedParts(jsonSchema(z.strictObject({ a: z.string(), b: z.array(z.string().max(2)) }), 'input')), ['.a: string without maxLength', '.b: array without maxItems']);
  assert.deepEqual(unboundedParts(jsonSchema(z.object({ a: z.string().max(1) }), 'input')), ['(root): object accepts unknown keys']);
});

test('every error code has a status, a documentation line, and an entry in docs/errors.md', () => {
  const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
  for (const [code, e] of Object.entries(ERROR_CATALOGUE)) {
    assert.ok(e.status >= 400 && e.status < 600, code);
    assert.ok(e.doc.length > 10, code);
    assert.ok(doc.includes(`| \`${code}\` | ${e.status} | ${e.doc} |`), `docs/errors.md lacks the line for ${code}`);
  }
});

test('privd handlers are exactly the method table', () => {
  assert.deepEqual(Object.keys(HANDLERS).sort(), [...PRIVD_METHOD_NAMES].sort());
});

test('bundles contain only what they may (esbuild metafiles from make build)', () => {
  const dir = new URL('../../../dist/meta/', import.meta.url);
  assert.ok(existsSync(new URL('steward-privd.json', dir)), 'dist/meta is missing: make unit builds first (make build)');
  const metas: Record<string, Metafile> = {};
  for (const name of ['steward-api', 'steward-privd', 'steward-admin', 'steward-ui']) {
    metas[name] = JSON.parse(readFileSync(new URL(`${name}.json`, dir), 'utf8')) as Metafile;
  }
  assert.deepEqual(checkBundleInputs(metas), []);
  // The check is not vacuous: the API bundle does contain what privd's must not.
  const apiInputs = Object.keys(metas['steward-api']!.inputs);
  assert.ok(apiInputs.some((i) => i.includes('node_modules/hono/')));
  assert.ok(checkBundleInputs({ ...metas, 'steward-privd': metas['steward-api']! }).length > 0);
  assert.ok(checkBundleInputs({ ...metas, 'steward-ui': metas['steward-api']! }).length > 0);
});
