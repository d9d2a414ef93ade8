// Saved views in the store, and the predicate each one stands for.
import { ApiError } from '../../../shared/errors.ts';
import { SearchSyntaxError, parseSearch } from '../../../shared/search.ts';
import type { View } from '../../../shared/views.ts';
import type { ViewCreateSchema, ViewUpdateSchema } from '../../../shared/views.ts';
import type { z } from 'zod';
import type { Collection, Entry, Store } from '../store/store.ts';
import { digestVersion, versionDigest } from '../store/store.ts';
import { compileSearch } from './matcher.ts';
import type { Predicate } from './matcher.ts';

export interface StoredView {
  id: string;
  search: string;
  'include-remotes': string[];
  'exclude-remotes': string[];
  comment?: string;
}

/** A search expression as an ApiError-raising compile (400 search_syntax with the position). */
export function compileOrThrow(search: string, view: (id: string) => Predicate | null, field = 'search'): Predicate {
  try {
    return compileSearch(parseSearch(search), { view }, search);
  } catch (err) {
    if (err instanceof SearchSyntaxError) throw new ApiError('search_syntax', err.message, { errors: { [field]: err.message } });
    throw err;
  }
}

export class ViewRepo {
  private readonly db: Collection<StoredView>;
  private readonly compiled = new Map<string, { version: number; p: Predicate }>();

  constructor(store: Store) {
    this.db = store.collection<StoredView>('views');
  }

  list(): Entry<StoredView>[] {
    return this.db.list();
  }

  get(id: string): Entry<StoredView> {
    const e = this.db.get(id);
    if (!e) throw new ApiError('not_found', `no view '${id}'`);
    return e;
  }

  static toWire(e: Entry<StoredView>): View {
    return { ...e.value, digest: versionDigest(e.version) };
  }

  /** Views are not nested: a view's own search may not use `view:`. */
  private static check(search: string): void {
    compileOrThrow(search, () => null);
  }

  async create(input: z.output<typeof ViewCreateSchema>): Promise<Entry<StoredView>> {
    ViewRepo.check(input.search);
    await this.db.create(input.id, {
      id: input.id,
      search: input.search,
      'include-remotes': input['include-remotes'] ?? [],
      'exclude-remotes': input['exclude-remotes'] ?? [],
      ...(input.comment ? { comment: input.comment } : {}),
    });
    return this.get(input.id);
  }

  async update(id: string, input: z.output<typeof ViewUpdateSchema>): Promise<Entry<StoredView>> {
    const next = { ...this.get(id).value };
    if (input.search !== undefined) {
      ViewRepo.check(input.search);
      next.search = input.search;
    }
    if (input['include-remotes']) next['include-remotes'] = input['include-remotes'];
    if (input['exclude-remotes']) next['exclude-remotes'] = input['exclude-remotes'];
    if (input.comment !== undefined) next.comment = input.comment;
    for (const f of input.delete ?? []) {
      if (f === 'comment') delete next.comment;
      else next[f] = [];
    }
    await this.db.update(id, next, digestVersion(input.digest));
    return this.get(id);
  }

  async delete(id: string, digest?: string): Promise<void> {
    await this.db.delete(id, digestVersion(digest));
  }

  /** The view as a predicate over resource rows (cached per stored version). */
  predicate(id: string): Predicate | null {
    const e = this.db.get(id);
    if (!e) return null;
    const have = this.compiled.get(id);
    if (have && have.version === e.version) return have.p;
    const v = e.value;
    const search = compileOrThrow(v.search, () => null);
    const include = new Set(v['include-remotes']);
    const exclude = new Set(v['exclude-remotes']);
    const p: Predicate = (t, i) => (include.size === 0 || include.has(t.remote)) && !exclude.has(t.remote) && search(t, i);
    this.compiled.set(id, { version: e.version, p });
    return p;
  }
}
