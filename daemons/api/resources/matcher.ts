// Compiles parsed search terms into one predicate over the rows of resource tables. The
// search keys (lower-cased names, tag lists) are made once per refresh, not per search, so a
// query over 50,000 guests is a tight loop of closures.
import { SearchSyntaxError } from '../../../shared/search.ts';
import type { NumericCategory, Term } from '../../../shared/search.ts';
import type { ResourceTable } from './table.ts';

/** Whether row i of a remote's table matches. */
export type Predicate = (t: ResourceTable, i: number) => boolean;

export interface MatchContext {
  /** The predicate of a saved view, or null when there is no such view (or the caller may not use it). */
  view(id: string): Predicate | null;
}

function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || !b ? undefined : a / b;
}

function numeric(category: NumericCategory, t: ResourceTable, i: number): number | undefined {
  switch (category) {
    case 'mem': return ratio(t.num('mem', i), t.num('maxmem', i));
    case 'disk': return ratio(t.num('disk', i), t.num('maxdisk', i));
    default: return t.num(category, i);
  }
}

function compileTerm(t: Term, ctx: MatchContext, query: string): Predicate {
  if (t.kind === 'word') {
    const v = t.value;
    return (t, i) => t.nameKey[i]!.includes(v) || t.idKey[i]!.includes(v);
  }
  if (t.kind === 'number') {
    const { category, value } = t;
    const cmp = {
      ':': (a: number) => a === value,
      '=': (a: number) => a === value,
      '>': (a: number) => a > value,
      '>=': (a: number) => a >= value,
      '<': (a: number) => a < value,
      '<=': (a: number) => a <= value,
    }[t.op];
    return (t, i) => {
      const n = numeric(category, t, i);
      return n !== undefined && cmp(n);
    };
  }
  const v = t.value;
  switch (t.category) {
    case 'type':
      if (v === 'vm' || v === 'guest') return (t, i) => t.isGuest(i);
      return (t, i) => t.type(i) === v;
    case 'status': return (t, i) => t.statusKey[i] === v;
    case 'name': return (t, i) => t.nameKey[i]!.includes(v);
    case 'id': {
      const vmid = /^(0|[1-9]\d*)$/.test(v) ? Number(v) : NaN;
      return (t, i) => t.idKey[i]!.includes(v) || t.num('vmid', i) === vmid;
    }
    case 'remote': return (t) => t.remoteKey === v;
    case 'remote-type': return (t) => t.remoteType === v;
    case 'node': return (t, i) => t.nodeKey[i] === v;
    case 'tag': {
      const needle = `;${v};`;
      return (t, i) => t.tagsKey[i]!.includes(needle);
    }
    case 'pool': return (t, i) => (t.str('pool', i) ?? '').toLowerCase() === v;
    case 'template': {
      const want = /^(1|true|yes)$/.test(v);
      return (t, i) => (t.template(i) ?? false) === want;
    }
    case 'property': {
      const eq = v.indexOf('=');
      const key = eq < 0 ? v : v.slice(0, eq);
      const want = eq < 0 ? undefined : v.slice(eq + 1);
      return (t, i) => {
        const have = t.field(i, key);
        if (have === undefined || have === '') return false;
        return want === undefined || String(have).toLowerCase() === want;
      };
    }
    case 'view': {
      const p = ctx.view(v);
      if (!p) throw new SearchSyntaxError(t.pos, `no view '${v}' that you may use`, query);
      return p;
    }
  }
}

/** All required terms match, no excluded one does, and (if there are any) at least one optional term. */
export function compileSearch(terms: Term[], ctx: MatchContext, query: string): Predicate {
  const required = terms.filter((t) => t.mode === 'required').map((t) => compileTerm(t, ctx, query));
  const excluded = terms.filter((t) => t.mode === 'excluded').map((t) => compileTerm(t, ctx, query));
  const optional = terms.filter((t) => t.mode === 'optional').map((t) => compileTerm(t, ctx, query));
  return (t, i) => {
    for (const p of required) if (!p(t, i)) return false;
    for (const p of excluded) if (p(t, i)) return false;
    if (optional.length === 0) return true;
    for (const p of optional) if (p(t, i)) return true;
    return false;
  };
}
