// A PVE storage on one node: what it is (type, shared, content), its usage from the last
// refresh, and its usage history (GET …/nodes/{node}/storage/{storage}/rrddata).
import { LitElement, html, nothing } from 'lit';
import { errorText, path } from '../api/client.ts';
import { listResources } from '../api/resources.ts';
import type { RemoteState, Resource } from '../api/resources.ts';
import '../components/st-rrd.ts';
import { ratio, usageBar } from '../components/st-usage.ts';
import { age, bytes } from '../lib/format.ts';
import { baseStyles, detailStyles, usageStyles } from '../lib/styles.ts';

export class StViewStorage extends LitElement {
  static override styles = [baseStyles, usageStyles, detailStyles];
  static override properties = { params: { attribute: false }, storage: { state: true }, state: { state: true }, error: { state: true } };
  declare params: { remote: string; node: string; storage: string };
  declare storage: Resource | null | undefined;
  declare state: RemoteState | undefined;
  declare error: string | undefined;

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('params') && this.params) void this.load();
  }

  private async load(): Promise<void> {
    const { remote, node, storage } = this.params;
    const id = `storage/${node}/${storage}`;
    try {
      // The last refresh's entry, as the resource table shows it (the id search is a substring match).
      const list = await listResources({ search: `+remote:${remote} +type:storage +id:"${id}"`, limit: 50 });
      this.storage = list.resources.find((r) => r.remote === remote && r.id === id) ?? null;
      this.state = list.remotes.find((r) => r.remote === remote);
      this.error = undefined;
    } catch (err) {
      this.error = errorText(err);
    }
  }

  override render() {
    const { remote, node, storage } = this.params;
    const s = this.storage;
    return html`<h1>Storage ${storage}</h1>
      <p class="muted">on node <a href="/remotes/${encodeURIComponent(remote)}/nodes/${encodeURIComponent(node)}">${node}</a>
        of <a href="/remotes/${encodeURIComponent(remote)}">${remote}</a></p>
      ${this.error ? html`<div class="error-box" role="alert">${this.error}</div>` : nothing}
      ${s === null ? html`<div class="error-box" role="alert">No storage ${storage} on ${node} in the last refresh of ${remote}.</div>` : nothing}
      <div class="grid">
        <section class="card" aria-label="Storage">
          <h2>Storage</h2>
          <dl>
            <dt>Status</dt><dd>${s?.status ?? '–'}</dd>
            <dt>Type</dt><dd>${s?.plugintype ?? '–'}${s?.shared ? ' (shared)' : ''}</dd>
            <dt>Content</dt><dd>${s?.content?.split(',').join(', ') || '–'}</dd>
            <dt>Used</dt><dd>${usageBar(ratio(s?.disk, s?.maxdisk), 'Used')} <span class="muted">${bytes(s?.disk)} of ${bytes(s?.maxdisk)}</span></dd>
            <dt>Free</dt><dd>${s?.maxdisk !== undefined && s.disk !== undefined ? bytes(s.maxdisk - s.disk) : '–'}</dd>
            <dt>Data from</dt><dd>${this.state?.age !== undefined ? age(Date.now() / 1000 - this.state.age) : '–'}</dd>
          </dl>
        </section>
        <st-rrd kind="storage" url=${path`/pve/remotes/${remote}/nodes/${node}/storage/${storage}/rrddata`}></st-rrd>
      </div>`;
  }
}
customElements.define('st-view-storage', StViewStorage);
