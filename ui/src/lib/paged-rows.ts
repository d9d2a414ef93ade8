// Rows fetched from the API a page at a time as they come into view, for the virtualized
// table: 50,000 resources never travel at once; the first screen needs one small page.

export const PAGE_SIZE = 200;

export type PageFetcher<T> = (start: number, limit: number, signal: AbortSignal) => Promise<{ total: number; rows: T[] }>;

export class PagedRows<T> {
  total = 0;
  private pages = new Map<number, T[]>();
  private loading = new Set<number>();
  private ctl = new AbortController();

  constructor(
    private readonly fetchPage: PageFetcher<T>,
    /** Called when rows or the total changed (re-render). */
    private readonly onChange: () => void,
    /** Called when a page failed to load. */
    private readonly onError: (err: unknown) => void,
  ) {}

  rowAt(i: number): T | undefined {
    return this.pages.get(Math.floor(i / PAGE_SIZE))?.[i % PAGE_SIZE];
  }

  /** Loads the first page; resolves when the total is known. */
  async start(): Promise<void> {
    await this.load(0);
  }

  /** Makes sure the pages covering rows [first, last) are loaded or on their way. */
  ensure(first: number, last: number): void {
    const from = Math.floor(first / PAGE_SIZE);
    const to = Math.floor(Math.max(first, last - 1) / PAGE_SIZE);
    for (let p = from; p <= to; p++) {
      if (p * PAGE_SIZE < this.total && !this.pages.has(p) && !this.loading.has(p)) void this.load(p);
    }
  }

  /** Drops everything (a new search or sort); pending requests are cancelled. */
  dispose(): void {
    this.ctl.abort();
  }

  private async load(page: number): Promise<void> {
    this.loading.add(page);
    try {
      const { total, rows } = await this.fetchPage(page * PAGE_SIZE, PAGE_SIZE, this.ctl.signal);
      this.total = total;
      this.pages.set(page, rows);
      this.onChange();
    } catch (err) {
      if ((err as Error).name !== 'AbortError') this.onError(err);
    } finally {
      this.loading.delete(page);
    }
  }
}
