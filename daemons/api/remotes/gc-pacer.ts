// Remote answers are most of what the daemon allocates: at 200 remotes, ~20 MB of JSON a
// minute becomes ~100 MB of buffers, strings and objects that are garbage once the refresh
// has read them. V8 collects its old generation by heap-growth heuristics tuned for
// throughput and lets that garbage — and the answers' buffers, held outside the heap until
// then — pile up to twice the live heap and more, so RSS after a refresh varied between
// 160 and 330 MB from run to run (docs/architecture.md, "Memory"). A full collection when
// the poller falls idle after a good part of `everyBytes` hands it back at once instead of
// when V8's memory reducer gets to it, and one after every `everyBytes` bounds a longer wave.
// Each costs ~150–200 ms of CPU at 50,000 guests (the heap then holds the tables and the
// metrics heads), so they are few: the daemon's mark is 64 MB, one collection per refresh of
// that size. The collection needs `--expose-gc` (the unit's ExecStart); without it (tests,
// development) the pacer does nothing.
type Collect = () => void;

export class GcPacer {
  private bytes = 0;
  private pending = false;

  constructor(
    private readonly everyBytes: number,
    private readonly collect: Collect | null = (globalThis as { gc?: Collect }).gc ?? null,
  ) {}

  /** Counts an answer read from a remote; past the mark, collects once the answer has been handled. */
  readonly received = (bytes: number): void => {
    // An answer read while a collection is due counts as collected by it.
    if (!this.collect || this.pending) return;
    this.bytes += bytes;
    if (this.bytes >= this.everyBytes) this.schedule();
  };

  /** Nothing is being refreshed: collects if a quarter of the mark was read since the last time. */
  readonly idle = (): void => {
    if (this.collect && !this.pending && this.bytes >= this.everyBytes / 4) this.schedule();
  };

  private schedule(): void {
    this.bytes = 0;
    this.pending = true;
    setImmediate(() => {
      this.pending = false;
      this.collect!();
    });
  }
}
