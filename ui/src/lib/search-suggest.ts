// Suggestions for the search box: completes the term under the cursor with the categories of
// the resources search syntax and known values (remote ids, types, states).

export const CATEGORIES = ['type', 'status', 'name', 'id', 'remote', 'remote-type', 'node', 'tag', 'template', 'property', 'view'] as const;

const VALUES: Record<string, string[]> = {
  type: ['qemu', 'lxc', 'node', 'storage', 'datastore', 'sdn'],
  status: ['running', 'stopped', 'paused', 'online', 'offline', 'available', 'unknown'],
  'remote-type': ['pve', 'pbs'],
  template: ['true', 'false'],
};

export interface Suggestion { text: string; label: string }

/** Suggestions for the last term of `query`; each `text` is the whole new query. */
export function suggest(query: string, known: { remotes?: string[]; nodes?: string[] } = {}, max = 8): Suggestion[] {
  const start = query.search(/\S*$/);
  const head = query.slice(0, start);
  const term = query.slice(start);
  const sign = /^[+-]/.test(term) ? term[0]! : '';
  const body = term.slice(sign.length).toLowerCase();
  const values: Record<string, string[]> = { ...VALUES, remote: known.remotes ?? [], node: known.nodes ?? [] };
  const out: Suggestion[] = [];
  const colon = body.indexOf(':');
  if (colon >= 0) {
    const cat = body.slice(0, colon);
    const val = body.slice(colon + 1);
    for (const v of values[cat] ?? []) {
      if (v.toLowerCase().startsWith(val) && v.toLowerCase() !== val) out.push({ text: `${head}${sign}${cat}:${v} `, label: `${sign}${cat}:${v}` });
    }
  } else {
    for (const cat of CATEGORIES) {
      if (cat.startsWith(body)) out.push({ text: `${head}${sign}${cat}:`, label: `${sign}${cat}:…` });
    }
    if (body) {
      for (const r of known.remotes ?? []) {
        if (r.toLowerCase().startsWith(body)) out.push({ text: `${head}${sign}remote:${r} `, label: `${sign}remote:${r}` });
      }
    }
  }
  return out.slice(0, max);
}
