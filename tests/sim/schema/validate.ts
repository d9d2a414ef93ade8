// Validation against Proxmox's JSON-schema dialect (as kept in the extract): the simulator
// checks every incoming request's parameters with it (unknown or malformed parameters get
// Proxmox's 400), and the conformance tests check every response's `data` with it.
import type { Schema } from './extract.ts';

export type Mode = 'param' | 'return';

export interface Problem {
  /** JSON-pointer-like location: `data[3].maxmem`, or the parameter name. */
  at: string;
  message: string;
}

export interface ValidateOptions {
  mode: Mode;
  /** PVE (Perl) writes booleans as 0/1 and patterns unanchored; PBS (Rust) true/false and anchored. */
  product: 'pve' | 'pbs';
  /** Fields the schema does not list but the real API returns (`at` without array indices). */
  undocumented?: (at: string) => boolean;
  /** Locations whose real shape differs from the schema's (not checked). */
  skip?: (at: string) => boolean;
}

const patternCache = new Map<string, RegExp | null>();

/** Proxmox patterns: Perl's (`(?^:…)`, POSIX classes, implicitly anchored in PVE) or Rust's `/^…$/`. */
export function compilePattern(p: string, product: 'pve' | 'pbs'): RegExp | null {
  const key = product + p;
  if (patternCache.has(key)) return patternCache.get(key)!;
  let src = p;
  const delimited = /^\/(.*)\/([a-z]*)$/s.exec(src);
  if (delimited) src = delimited[1]!;
  src = src
    .replace(/\(\?\^([a-z]*):/g, (_m, f: string) => (f.includes('i') ? '(?:' : '(?:'))
    .replace(/\[\[:\^cntrl:\]\]/g, '[^\\x00-\\x1f\\x7f]')
    .replace(/\[:\^cntrl:\]/g, '^\\x00-\\x1f\\x7f')
    .replace(/\[:cntrl:\]/g, '\\x00-\\x1f\\x7f')
    .replace(/\[:alnum:\]/g, 'A-Za-z0-9')
    .replace(/\[:alpha:\]/g, 'A-Za-z')
    .replace(/\[:digit:\]/g, '0-9')
    .replace(/\[:xdigit:\]/g, '0-9A-Fa-f')
    .replace(/\[:space:\]/g, '\\s')
    .replace(/\[:print:\]/g, '\\x20-\\x7e')
    .replace(/\\A/g, '^')
    .replace(/\\[zZ]/g, '$');
  let re: RegExp | null;
  try {
    // PVE::JSONSchema matches `^${pattern}$`; PBS patterns carry their own anchors.
    re = new RegExp(product === 'pve' && !delimited ? `^(?:${src})$` : src, /\(\?\^i/.test(p) ? 'iu' : 'u');
  } catch {
    try {
      re = new RegExp(product === 'pve' && !delimited ? `^(?:${src})$` : src);
    } catch {
      re = null;
    }
  }
  patternCache.set(key, re);
  return re;
}

const HOST_LABEL = '[a-zA-Z0-9]([a-zA-Z0-9\\-]*[a-zA-Z0-9])?';
const CONTENT_TYPES = new Set(['images', 'rootdir', 'vztmpl', 'iso', 'backup', 'snippets', 'import', 'none']);

/** Named formats the simulator checks; others are accepted (and listed by the coverage report). */
export const FORMATS: Record<string, (v: string) => boolean> = {
  'pve-node': (v) => new RegExp(`^${HOST_LABEL}$`).test(v) && v.length <= 63,
  'pve-vmid': (v) => /^[1-9][0-9]{2,8}$/.test(v),
  'pve-storage-id': (v) => /^[a-z][a-z0-9\-_.]*[a-z0-9]$/i.test(v),
  'pve-configid': (v) => /^[a-z][a-z0-9_]*$/i.test(v),
  'pve-poolid': (v) => /^[A-Za-z0-9_\-/]+$/.test(v),
  'pve-userid': (v) => /^[^\s:/]+@[A-Za-z][A-Za-z0-9.\-_]+$/.test(v) && v.length <= 64,
  'pve-realm': (v) => /^[A-Za-z][A-Za-z0-9.\-_]+$/.test(v),
  'pve-storage-content': (v) => CONTENT_TYPES.has(v),
  'pve-task-status-type': (v) => ['ok', 'error', 'warning', 'unknown'].includes(v),
  'pve-tag': (v) => /^[a-z0-9_][a-z0-9_\-+.]*$/i.test(v),
  'pve-volume-id': (v) => /^[a-z][a-z0-9\-_.]*[a-z0-9]:.+$/i.test(v),
  'pve-priv': (v) => /^[A-Za-z.]+$/.test(v),
  ipv4: (v) => /^(\d{1,3})(\.\d{1,3}){3}$/.test(v) && v.split('.').every((x) => Number(x) < 256),
  ip: (v) => FORMATS.ipv4!(v) || /^[0-9a-fA-F:]+$/.test(v),
  'dns-name': (v) => /^([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?\.)*[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/.test(v),
  address: (v) => FORMATS.ip!(v) || FORMATS['dns-name']!(v),
  'mac-addr': (v) => /^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/.test(v),
  CIDR: (v) => /^[0-9a-fA-F.:]+\/\d{1,3}$/.test(v),
};

/** `pve-tag-list` style lists: items split on `,;` and white space, each checked with the base format. */
function checkFormat(format: string, v: string): boolean | undefined {
  const direct = FORMATS[format];
  if (direct) return direct(v);
  if (format.endsWith('-list')) {
    const base = FORMATS[format.slice(0, -5)];
    if (base) return v.split(/[,;\s]+/).filter(Boolean).every(base);
    if (format === 'pve-storage-content-list') return v.split(/[,;\s]+/).filter(Boolean).every((x) => CONTENT_TYPES.has(x));
  }
  return undefined;
}

const isTrue = (v: unknown) => v === 1 || v === true || v === '1';

function typeOf(s: Schema): string | undefined {
  return Array.isArray(s.type) ? s.type[0] : s.type;
}

/** Parses a parameter given as text (query string or form body) into its schema type. */
function coerce(s: Schema, v: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  const type = typeOf(s);
  if (typeof v !== 'string') return { ok: true, value: v };
  switch (type) {
    case 'integer':
      return /^[+-]?\d+$/.test(v.trim()) ? { ok: true, value: Number(v) } : { ok: false, message: `type check ('integer') failed - got '${v}'` };
    case 'number':
      return v.trim() !== '' && Number.isFinite(Number(v)) ? { ok: true, value: Number(v) } : { ok: false, message: `type check ('number') failed - got '${v}'` };
    case 'boolean': {
      const l = v.toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(l)) return { ok: true, value: true };
      if (['0', 'false', 'no', 'off'].includes(l)) return { ok: true, value: false };
      return { ok: false, message: `type check ('boolean') failed - got '${v}'` };
    }
    default:
      return { ok: true, value: v };
  }
}

export function validate(schema: Schema | undefined, value: unknown, opts: ValidateOptions, at = 'data'): Problem[] {
  const problems: Problem[] = [];
  if (schema) check(schema, value, opts, at, problems);
  return problems;
}

function check(s: Schema, v: unknown, opts: ValidateOptions, at: string, out: Problem[]): void {
  if (opts.skip?.(at.replace(/\[\d+\]/g, '[]'))) return;
  if (v === null || v === undefined) {
    if (typeOf(s) === 'null' || isTrue(s.optional)) return;
    out.push({ at, message: 'value is null' });
    return;
  }
  if (s.oneOf) {
    const variants = s.oneOf.map((o) => {
      const p: Problem[] = [];
      check({ ...o, optional: s.optional }, v, opts, at, p);
      return p;
    });
    if (!variants.some((p) => p.length === 0)) out.push(...(variants.sort((a, b) => a.length - b.length)[0] ?? []));
    return;
  }
  const type = typeOf(s);
  switch (type) {
    case 'string': {
      if (typeof v !== 'string') return void out.push({ at, message: `expected a string, got ${JSON.stringify(v)}` });
      if (s.enum && !s.enum.includes(v)) out.push({ at, message: `value '${v}' does not have a value in the enumeration '${s.enum.join(', ')}'` });
      if (s.maxLength !== undefined && v.length > s.maxLength) out.push({ at, message: `value may only be ${s.maxLength} characters long` });
      if (s.minLength !== undefined && v.length < s.minLength) out.push({ at, message: `value must be at least ${s.minLength} characters long` });
      if (s.pattern) {
        const re = compilePattern(s.pattern, opts.product);
        if (re && !re.test(v)) out.push({ at, message: `value does not match the regex pattern` });
      }
      if (typeof s.format === 'string' && checkFormat(s.format, v) === false) out.push({ at, message: `value '${v}' does not match format '${s.format}'` });
      return;
    }
    case 'integer':
    case 'number': {
      if (typeof v !== 'number' || !Number.isFinite(v) || (type === 'integer' && !Number.isInteger(v))) {
        return void out.push({ at, message: `type check ('${type}') failed - got ${JSON.stringify(v)}` });
      }
      if (s.minimum !== undefined && v < Number(s.minimum)) out.push({ at, message: `value must have a minimum value of ${s.minimum}` });
      if (s.maximum !== undefined && v > Number(s.maximum)) out.push({ at, message: `value must have a maximum value of ${s.maximum}` });
      if (s.enum && !s.enum.includes(v)) out.push({ at, message: `value ${v} is not in the enumeration` });
      return;
    }
    case 'boolean': {
      const ok = typeof v === 'boolean' || (opts.product === 'pve' && (v === 0 || v === 1));
      if (!ok) out.push({ at, message: `type check ('boolean') failed - got ${JSON.stringify(v)}` });
      return;
    }
    case 'array': {
      if (!Array.isArray(v)) return void out.push({ at, message: `expected an array, got ${typeof v}` });
      if (s.items) v.forEach((item, i) => check(s.items!, item, opts, `${at}[${i}]`, out));
      return;
    }
    case 'object': {
      if (typeof v !== 'object' || Array.isArray(v)) return void out.push({ at, message: `expected an object, got ${Array.isArray(v) ? 'array' : typeof v}` });
      checkObject(s, v as Record<string, unknown>, opts, at, out);
      return;
    }
    case 'null':
      return void out.push({ at, message: `expected null` });
    case 'any':
    case undefined:
      return;
    default:
      return;
  }
}

function checkObject(s: Schema, o: Record<string, unknown>, opts: ValidateOptions, at: string, out: Problem[]): void {
  const props = s.properties ?? {};
  for (const [name, ps] of Object.entries(props)) {
    const v = o[name];
    if (v === undefined) {
      // PVE's return schemas mark the fields it always sends; optional ones may be left out.
      if (!isTrue(ps.optional) && ps.default === undefined) out.push({ at: `${at}.${name}`, message: 'property is missing and it is not optional' });
      continue;
    }
    check(ps, v, opts, `${at}.${name}`, out);
  }
  // A loose `{type: object}` (or `properties: {}`): the schema says nothing about its fields.
  if (!s.properties || Object.keys(s.properties).length === 0) return;
  // `net[n]`, `scsi[n]`, `mp[n]`: numbered config keys share one schema entry.
  const indexed = (k: string) => props[k.replace(/\d+$/, '[n]')];
  for (const k of Object.keys(o)) if (!(k in props) && indexed(k)) check(indexed(k)!, o[k], opts, `${at}.${k}`, out);
  const extra = Object.keys(o).filter((k) => !(k in props) && !indexed(k));
  if (extra.length === 0) return;
  const ap = s.additionalProperties;
  if (ap && typeof ap === 'object') {
    for (const k of extra) check(ap, o[k], opts, `${at}.${k}`, out);
    return;
  }
  if (isTrue(ap)) return;
  for (const k of extra) {
    const where = `${at}.${k}`;
    if (opts.undocumented?.(where.replace(/\[\d+\]/g, '[]'))) continue;
    out.push({ at: where, message: 'property is not defined in schema and the schema does not allow additional properties' });
  }
}

/**
 * Request parameters the way pve-http-server / proxmox-router check them: text values coerced
 * to their types, unknown names refused, required ones present. Returns the typed parameters
 * or Proxmox's per-parameter error messages.
 */
export function checkParams(schema: Schema | undefined, raw: Record<string, unknown>, product: 'pve' | 'pbs'): { params: Record<string, unknown>; errors: Record<string, string> } {
  const params: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  const props = schema?.properties ?? {};
  for (const [name, v] of Object.entries(raw)) {
    const ps = props[name];
    if (!ps) {
      if (!isTrue(schema?.additionalProperties)) errors[name] = 'property is not defined in schema and the schema does not allow additional properties';
      else params[name] = v;
      continue;
    }
    if (typeOf(ps) === 'array') {
      // Repeated query parameters (`statusfilter=ok&statusfilter=error`) form an array.
      const items = (Array.isArray(v) ? v : [v]).map((x) => (ps.items ? coerce(ps.items, x) : { ok: true as const, value: x }));
      const bad = items.find((i) => !i.ok);
      if (bad && !bad.ok) {
        errors[name] = bad.message;
        continue;
      }
      const value = items.map((i) => (i.ok ? i.value : undefined));
      const p = validate(ps, value, { mode: 'param', product }, name);
      if (p.length) errors[name] = p[0]!.message;
      else params[name] = value;
      continue;
    }
    const values = Array.isArray(v) ? v : [v];
    if (values.length > 1) {
      errors[name] = 'duplicate parameter';
      continue;
    }
    const c = coerce(ps, values[0]);
    if (!c.ok) {
      errors[name] = c.message;
      continue;
    }
    const p = validate(ps, c.value, { mode: 'param', product }, name);
    if (p.length) errors[name] = p[0]!.message;
    else params[name] = c.value;
  }
  for (const [name, ps] of Object.entries(props)) {
    if (raw[name] === undefined && !isTrue(ps.optional)) errors[name] = 'property is missing and it is not optional';
    if (raw[name] !== undefined && ps.requires && raw[ps.requires] === undefined) errors[ps.requires] = `property is missing and it is not optional`;
  }
  return { params, errors };
}
