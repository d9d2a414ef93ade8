// The application shell. Shows which Steward it talks to.
import { LitElement, css, html } from 'lit';

interface VersionInfo {
  version: string;
  release: string;
}

export class StApp extends LitElement {
  static override styles = css`
    :host { display: block; font-family: system-ui, sans-serif; padding: 2rem; }
  `;

  static override properties = { version: { state: true } };
  declare version: VersionInfo | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    void fetch('/api2/json/version')
      .then((r) => r.json() as Promise<{ data: VersionInfo }>)
      .then((r) => { this.version = r.data; });
  }

  override render() {
    return html`<h1>Steward</h1><p>${this.version ? `Version ${this.version.version}` : 'Loading…'}</p>`;
  }
}
customElements.define('st-app', StApp);
