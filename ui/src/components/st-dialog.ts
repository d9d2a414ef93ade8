// A modal dialog on the native <dialog> element: focus is trapped and restored by the
// browser, Escape closes it. Content goes in the default slot, buttons in slot "actions".
import { LitElement, css, html } from 'lit';
import { icons } from '../lib/icons.ts';
import { baseStyles } from '../lib/styles.ts';

export class StDialog extends LitElement {
  static override styles = [
    baseStyles,
    css`
      dialog { border: 1px solid var(--st-border); border-radius: var(--st-radius); background: var(--st-surface); color: var(--st-text); padding: 0; width: min(36rem, calc(100vw - 1.5rem)); box-shadow: var(--st-shadow); }
      dialog::backdrop { background: rgb(0 0 0 / 45%); }
      .head { display: flex; align-items: center; padding: 0.8rem 1rem; border-bottom: 1px solid var(--st-border); }
      .head h2 { margin: 0; flex: 1; }
      .body { padding: 1rem; max-height: 70vh; overflow: auto; }
      [hidden] { display: none !important; }
      .actions { display: flex; justify-content: flex-end; gap: 0.5rem; padding: 0.8rem 1rem; border-top: 1px solid var(--st-border); }
    `,
  ];

  static override properties = { heading: {}, hasActions: { state: true } };
  declare heading: string;
  declare hasActions: boolean;

  constructor() {
    super();
    this.hasActions = false;
  }

  show(): void {
    this.renderRoot.querySelector('dialog')?.showModal();
  }

  close(): void {
    this.renderRoot.querySelector('dialog')?.close();
  }

  override render() {
    return html`<dialog aria-label=${this.heading} @close=${() => this.dispatchEvent(new Event('close'))}>
      <div class="head"><h2>${this.heading}</h2><button class="icon" aria-label="Close" @click=${this.close}>${icons.close}</button></div>
      <div class="body"><slot></slot></div>
      <div class="actions" ?hidden=${!this.hasActions}><slot name="actions"
        @slotchange=${(e: Event) => { this.hasActions = (e.target as HTMLSlotElement).assignedElements().length > 0; }}></slot></div>
    </dialog>`;
  }
}
customElements.define('st-dialog', StDialog);
