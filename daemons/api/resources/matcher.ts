// Compiles parsed search terms into one predicate over pre-indexed resources. Indexing
// (lower-cased names, tag lists, usage fractions) happens once per refresh, not per search,
// so a query over 50,000 guests is a tight loop of closures.
import type { Resource } from '../../../shared/resources.ts';
import { SearchSyntaxError } from '../../../shared/search.ts';
import type { NumericCategory, Term } from '../../../shared/search.ts';

export interface Indexed {
  r: Resource;
  name: string;
  id: string;
  remote: string;
  node: string;
  status: string;
  /** `;a;b;` — tags lower-cased between separators, so a tag test is one includes(). */
  tags: string;
  vmid: string;
}

export function indexResource(r: Resource): Indexed {
  return {
    r,
    name: (r.name ?? '').toLowerCase(),
    id: r.id.toLowerCase(),
    remote: r.remote.toLowerCase(),
    node: (r.node ?? '').toLowerCase(),
    status: (r.status ?? '').toLowerCase(),
    tags: r.tags ? `;${r.tags.toLowerCase().replace(/[,\s]+/g, ';')};` : '',
    vmid: r.vmid === undefined ? '' : String(r.vmid),
  };
}

export type Predicate = (x: Indexed) => boolean;

export interface MatchContext {
  /** The predicate of a saved view, or null when there is no such view (or the caller may not use it). */
  view(id: string): Predicate | null;
}

function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || !b ? undefined : a / b;
}

function numeric(category: NumericCategory, r: Resource): number | undefined {
  switch (category) {
    case 'cpu': return r.cpu;
    case 'mem': return ratio(r.mem, r.maxmem);
    case 'disk': return ratio(r.disk, r.maxdisk);
    case 'uptime': return r.uptime;
    case 'vmid': return r.vmid;
    case 'maxcpu': return r.maxcpu;
    case 'maxmem': return r.maxmem;
    case 'maxdisk': return r.maxdisk;
  }
}

function compileTerm(t: Term, ctx: MatchContext, query: string): Predicate {
  if (t.kind === 'word') {
    const v = t.value;
    return (x) => x.name.includes(v) || x.id.includes(v);
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
    return (x) => {
      const n = numeric(category, x.r);
      return n !== undefined && cmp(n);
    };
  }
  const v = t.value;
  switch (t.category) {
    case 'type':
      if (v === 'vm' || v === 'guest') return (x) => x.r.type === 'qemu' || x.r.type === 'lxc';
      return (x) => x.r.type === v;
    case 'status': return (x) => x.status === v;
    case 'name': return (x) => x.name.includes(v);
    case 'id': return (x) => x.id.includes(v) || x.vmid === v;
    case 'remote': return (x) => x.remote === v;
    case 'remote-type': return (x) => x.r['remote-type'] === v;
    case 'node': return (x) => x.node === v;
    case 'tag': {
      const needle = `;${v};`;
      return (x) => x.tags.includes(needle);
    }
    case 'pool': return (x) => (x.r.pool ?? '').toLowerCase() === v;
    case 'template': {
      const want = /^(1|true|yes)$/.test(v);
      return (x) => (x.r.template ?? false) === want;
    }
    case 'property': {
      const eq = v.indexOf('=');
      const key = eq < 0 ? v : v.slice(0, eq);
      const want = eq < 0 ? undefined : v.slice(eq + 1);
      return (x) => {
        const have = (x.r as Record<string, unknown>)[key];
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
  return (x) => {
    for (const p of required) if (!p(x)) return false;
    for (const p of excluded) if (p(x)) return false;
    if (optional.length === 0) return true;
    for (const p of optional) if (p(x)) return true;
    return false;
  };
}
