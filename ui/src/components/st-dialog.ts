// A modal dialog on the native <dialog> element: the page behind is inert, Escape closes it,
// Tab and Shift+Tab wrap around inside it (the browser alone would let focus leave the page).
// Content goes in the default slot, buttons in slot "actions". Rendered with `open`, it shows
// itself as a modal once it is in the page — so a page that swaps one dialog's template for
// another (a form, then its result) gets the new one shown too; `show()` does it by hand.
import { LitElement, css, html } from 'lit';
import { icons } from '../lib/icons.ts';
import { baseStyles } from '../lib/styles.ts';

const FOCUSABLE = 'button, input, select, textarea, a[href], [tabindex]:not([tabindex="-1"])';

/** The focusable elements under `node` in the order Tab visits them: through shadow roots and slots. */
function focusables(node: Element, out: HTMLElement[] = []): HTMLElement[] {
  if (node instanceof HTMLElement && node.matches(FOCUSABLE) && !node.matches(':disabled') && node.checkVisibility()) out.push(node);
  const children = node instanceof HTMLSlotElement ? node.assignedElements({ flatten: true }) : [...(node.shadowRoot ?? node).children];
  for (const c of children) focusables(c, out);
  return out;
}

function deepActive(): Element | null {
  let el = document.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el;
}

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

  static override properties = { heading: {}, open: { type: Boolean }, hasActions: { state: true } };
  declare heading: string;
  /** Show as a modal once rendered (absent: only when show() is called). */
  declare open: boolean | undefined;
  declare hasActions: boolean;

  constructor() {
    super();
    this.hasActions = false;
  }

  protected override firstUpdated(): void {
    if (this.open) this.show();
  }

  show(): void {
    const d = this.renderRoot.querySelector('dialog');
    if (d && !d.open) d.showModal();
  }

  close(): void {
    this.renderRoot.querySelector('dialog')?.close();
  }

  private onKeydown(ev: KeyboardEvent): void {
    if (ev.key !== 'Tab') return;
    const dialog = this.renderRoot.querySelector('dialog');
    const all = dialog ? focusables(dialog) : [];
    if (!all.length) return;
    const at = deepActive();
    const wrapTo = ev.shiftKey ? (at === all[0] ? all.at(-1) : undefined) : (at === all.at(-1) ? all[0] : undefined);
    if (wrapTo) {
      ev.preventDefault();
      wrapTo.focus();
    }
  }

  override render() {
    return html`<dialog aria-label=${this.heading} @keydown=${this.onKeydown} @close=${() => this.dispatchEvent(new Event('close'))}>
      <div class="head"><h2>${this.heading}</h2><button class="icon" aria-label="Close" @click=${this.close}>${icons.close}</button></div>
      <div class="body"><slot></slot></div>
      <div class="actions" ?hidden=${!this.hasActions}><slot name="actions"
        @slotchange=${(e: Event) => { this.hasActions = (e.target as HTMLSlotElement).assignedElements().length > 0; }}></slot></div>
    </dialog>`;
  }
}
customElements.define('st-dialog', StDialog);
