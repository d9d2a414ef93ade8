// The resource search syntax (DESIGN §4): PDM's, extended. Terms split on whitespace;
// `category:value` or a bare word (matches name or id); `+term` is required, `-term` must
// not match, unmarked terms are alternatives (at least one must match); numeric
// comparisons on usage (`cpu>80%`, `mem>=90%`, `disk>0.5`, `uptime<1h`). A malformed query
// throws SearchSyntaxError carrying the 1-based position of the problem. Pure: the UI may
// use it to check a query as it is typed.

export const TEXT_CATEGORIES = ['type', 'status', 'name', 'id', 'remote', 'remote-type', 'node', 'tag', 'template', 'property', 'view', 'pool'] as const;
/** Numeric categories and their unit: fraction (of the max), duration (seconds), bytes, plain. */
export const NUMERIC_CATEGORIES = { cpu: 'fraction', mem: 'fraction', disk: 'fraction', uptime: 'duration', vmid: 'plain', maxcpu: 'plain', maxmem: 'bytes', maxdisk: 'bytes' } as const;
export type NumericCategory = keyof typeof NUMERIC_CATEGORIES;
export type TextCategory = (typeof TEXT_CATEGORIES)[number];

export const MAX_TERMS = 64;

export type Op = ':' | '=' | '>' | '>=' | '<' | '<=';

export type Term =
  | { mode: Mode; kind: 'word'; value: string; pos: number }
  | { mode: Mode; kind: 'text'; category: TextCategory; value: string; pos: number }
  | { mode: Mode; kind: 'number'; category: NumericCategory; op: Op; value: number; pos: number };
export type Mode = 'optional' | 'required' | 'excluded';

export class SearchSyntaxError extends Error {
  constructor(
    readonly position: number,
    readonly problem: string,
    query: string,
  ) {
    super(`search syntax error at position ${position}: ${problem} (in '${query.length > 80 ? query.slice(0, 77) + '...' : query}')`);
    this.name = 'SearchSyntaxError';
  }
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
const SIZES: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

function parseNumber(category: NumericCategory, text: string): number | null {
  const unit = NUMERIC_CATEGORIES[category];
  let m: RegExpExecArray | null;
  if (unit === 'fraction') {
    if ((m = /^(\d+(?:\.\d+)?)%$/.exec(text))) return Number(m[1]) / 100;
    if ((m = /^(\d+(?:\.\d+)?)$/.exec(text))) return Number(m[1]) <= 1 ? Number(m[1]) : Number(m[1]) / 100;
    return null;
  }
  if (unit === 'duration') {
    if ((m = /^(\d+(?:\.\d+)?)([smhdw]?)$/i.exec(text))) return Number(m[1]) * (UNITS[(m[2] || 's').toLowerCase()] ?? 1);
    return null;
  }
  if (unit === 'bytes') {
    if ((m = /^(\d+(?:\.\d+)?)([kmgtp]?)(i?b)?$/i.exec(text))) return Number(m[1]) * (m[2] ? SIZES[m[2].toLowerCase()]! : 1);
    return null;
  }
  return /^\d+(?:\.\d+)?$/.test(text) ? Number(text) : null;
}

const EXPECTED: Record<string, string> = {
  fraction: "a percentage like 80% or a fraction like 0.8",
  duration: 'a duration like 90, 30m, 12h or 7d',
  bytes: 'a size like 512M or 4G',
  plain: 'a number',
};

/** Splits into terms (quotes keep spaces: `name:"web 01"`), remembering where each began. */
function tokens(query: string): { text: string; pos: number; quoteAt?: number }[] {
  const out: { text: string; pos: number; quoteAt?: number }[] = [];
  let i = 0;
  while (i < query.length) {
    while (i < query.length && /\s/.test(query[i]!)) i++;
    if (i >= query.length) break;
    const start = i;
    let text = '';
    let quoteAt: number | undefined;
    while (i < query.length && !/\s/.test(query[i]!)) {
      if (query[i] === '"') {
        quoteAt ??= text.length;
        const open = i++;
        while (i < query.length && query[i] !== '"') {
          if (query[i] === '\\' && i + 1 < query.length) i++;
          text += query[i++];
        }
        if (i >= query.length) throw new SearchSyntaxError(open + 1, 'unterminated quote', query);
        i++;
      } else {
        text += query[i++];
      }
    }
    out.push({ text, pos: start + 1, ...(quoteAt !== undefined ? { quoteAt } : {}) });
  }
  return out;
}

export function parseSearch(query: string): Term[] {
  const terms: Term[] = [];
  for (const tok of tokens(query)) {
    if (terms.length >= MAX_TERMS) throw new SearchSyntaxError(tok.pos, `too many terms (at most ${MAX_TERMS})`, query);
    let text = tok.text;
    let pos = tok.pos;
    let mode: Mode = 'optional';
    if (text[0] === '+' || text[0] === '-') {
      mode = text[0] === '+' ? 'required' : 'excluded';
      text = text.slice(1);
      pos++;
      if (!text) throw new SearchSyntaxError(tok.pos, `'${tok.text}' must be followed by a term`, query);
    }
    const m = /^([A-Za-z][A-Za-z-]*)(:|>=|<=|>|<|=)(.*)$/.exec(text);
    // A quote before the operator makes the whole term a plain word: "fe80::1", "a:b".
    const quotedWord = tok.quoteAt !== undefined && m && tok.quoteAt - (mode === 'optional' ? 0 : 1) <= m[1]!.length;
    if (!m || quotedWord) {
      terms.push({ mode, kind: 'word', value: text.toLowerCase(), pos });
      continue;
    }
    const [, rawCategory, op, value] = m as unknown as [string, string, Op, string];
    const category = rawCategory.toLowerCase();
    const valuePos = pos + rawCategory.length + op.length;
    if (!value) throw new SearchSyntaxError(valuePos, `missing value after '${rawCategory}${op}'`, query);
    if (Object.hasOwn(NUMERIC_CATEGORIES, category)) {
      const cat = category as NumericCategory;
      const n = parseNumber(cat, value);
      if (n === null) throw new SearchSyntaxError(valuePos, `'${value}' is not ${EXPECTED[NUMERIC_CATEGORIES[cat]]}`, query);
      terms.push({ mode, kind: 'number', category: cat, op, value: n, pos });
      continue;
    }
    if ((TEXT_CATEGORIES as readonly string[]).includes(category)) {
      if (op !== ':' && !(category === 'property' && op === '=')) {
        throw new SearchSyntaxError(pos + rawCategory.length, `'${op}' compares numbers; '${category}' takes ':' (numeric: ${Object.keys(NUMERIC_CATEGORIES).join(', ')})`, query);
      }
      if (category === 'template' && !/^(1|0|true|false|yes|no)$/i.test(value)) throw new SearchSyntaxError(valuePos, "template takes yes/no (or 1/0, true/false)", query);
      terms.push({ mode, kind: 'text', category: category as TextCategory, value: value.toLowerCase(), pos });
      continue;
    }
    throw new SearchSyntaxError(pos, `unknown category '${rawCategory}' (known: ${[...TEXT_CATEGORIES, ...Object.keys(NUMERIC_CATEGORIES)].join(', ')})`, query);
  }
  return terms;
}
