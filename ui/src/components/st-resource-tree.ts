// The resource tree in the side bar: remotes → nodes → guests and storages (PBS → datastores),
// with status icons. Loaded level by level as branches open, so 50,000 guests cost nothing
// until someone opens a node. A tree in the ARIA sense, usable with the keyboard via its links.
import { LitElement, css, html, nothing } from 'lit';
import type { TemplateResult } from 'lit';
import { api } from '../api/client.ts';
import { displayName, listResources, resourceHref } from '../api/resources.ts';
import type { RemoteState, Resource } from '../api/resources.ts';
import { statusClass } from '../lib/format.ts';
import { baseStyles } from '../lib/styles.ts';

/** Guests shown under one node; beyond it, a link to the table. */
const MAX_CHILDREN = 200;

export class StResourceTree extends LitElement {
  static override styles = [baseStyles, css`
    :host { display: block; font-size: 0.9rem; }
    ul { list-style: none; margin: 0; padding: 0 0 0 0.9rem; }
    :host > ul { padding-left: 0; }
    li { margin: 0; }
    .item { display: flex; align-items: center; gap: 0.3rem; min-height: 1.8rem; }
    .toggle { min-height: 1.4rem; width: 1.4rem; padding: 0; border: none; background: none; color: var(--st-text-muted); font-size: 0.7rem; }
    .leaf { width: 1.4rem; display: inline-block; }
    .dot { width: 0.55rem; height: 0.55rem; border-radius: 50%; background: var(--st-idle); flex: none; }
    .dot.ok { background: var(--st-ok); }
    .dot.warn { background: var(--st-warn); }
    .dot.error { background: var(--st-error); }
    a { color: var(--st-text); text-decoration: none; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    a:hover { text-decoration: underline; }
    .more { padding-left: 1.7rem; }
  `];

  static override properties = { remotes: { state: true }, open: { state: true }, loaded: { state: true } };
  declare remotes: RemoteState[];
  /** Keys of the open branches: 'r:<remote>', 'n:<remote>/<node>'. */
  declare open: Set<string>;
  declare loaded: Map<string, { rows: Resource[]; total: number }>;

  constructor() {
    super();
    this.remotes = [];
    this.open = new Set();
    this.loaded = new Map();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  async load(): Promise<void> {
    try {
      const status = await api.get<{ remotes: { list: RemoteState[] } }>('/resources/status');
      this.remotes = status.remotes.list;
    } catch {
      // The dashboard shows the error; an empty tree is the honest state here.
    }
  }

  private async toggle(key: string, search: string): Promise<void> {
    const open = new Set(this.open);
    if (open.has(key)) open.delete(key);
    else {
      open.add(key);
      if (!this.loaded.has(key)) {
        try {
          const list = await listResources({ search, limit: MAX_CHILDREN, sort: 'name' });
          this.loaded = new Map(this.loaded).set(key, { rows: list.resources, total: list.total });
        } catch {
          this.loaded = new Map(this.loaded).set(key, { rows: [], total: 0 });
        }
      }
    }
    this.open = open;
  }

  private branch(key: string, label: string, href: string, status: string | undefined, search: string): TemplateResult {
    const isOpen = this.open.has(key);
    const kids = this.loaded.get(key);
    return html`<li role="treeitem" aria-expanded=${String(isOpen)}>
      <div class="item">
        <button class="toggle" aria-label="${isOpen ? 'Collapse' : 'Expand'} ${label}" @click=${() => void this.toggle(key, search)}>${isOpen ? '▼' : '▶'}</button>
        <span class="dot ${statusClass(status)}" title=${status ?? ''}></span><a href=${href}>${label}</a>
      </div>
      ${isOpen && kids ? html`<ul role="group">${this.leaves(key, kids.rows)}${kids.total > kids.rows.length
        ? html`<li class="more"><a href="/resources?search=${encodeURIComponent(search)}">all ${kids.total.toLocaleString()}…</a></li>` : nothing}</ul>` : nothing}
    </li>`;
  }

  private leaves(parent: string, rows: Resource[]): TemplateResult[] {
    return rows.map((r): TemplateResult => {
      if (r.type === 'node' && r.node) {
        return this.branch(`n:${r.remote}/${r.node}`, r.node, resourceHref(r) ?? '#', r.status, `+remote:${r.remote} +node:${r.node} -type:node`);
      }
      const href = resourceHref(r) ?? `/resources?search=${encodeURIComponent(`+remote:${r.remote} +id:${r.id}`)}`;
      return html`<li role="treeitem" data-parent=${parent}><div class="item"><span class="leaf"></span>
        <span class="dot ${statusClass(r.status)}" title=${r.status ?? ''}></span><a href=${href}>${displayName(r)}</a></div></li>`;
    });
  }

  override render() {
    if (!this.remotes.length) return nothing;
    return html`<ul role="tree" aria-label="Resource tree">${this.remotes.map((r) =>
      this.branch(`r:${r.remote}`, r.remote, `/remotes/${encodeURIComponent(r.remote)}`, r.status === 'degraded' ? 'warning' : r.status,
        r.type === 'pbs' ? `+remote:${r.remote} +type:datastore` : `+remote:${r.remote} +type:node`))}</ul>`;
  }
}
customElements.define('st-resource-tree', StResourceTree);
