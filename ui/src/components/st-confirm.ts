// The in-page replacement for window.confirm()/prompt(): `ask()` opens a modal st-dialog
// (native <dialog>: the rest of the page is inert while it is open, Escape cancels) and
// settles with the answer, or null when cancelled. Destructive actions can ask for a name
// to be typed; changes to second factors ask for the user's password. Focus goes to the
// first thing to fill in (or Cancel) and returns, on close, to what had it before.
import { LitElement, css, html, nothing } from 'lit';
import { baseStyles } from '../lib/styles.ts';
import './st-dialog.ts';
import type { StDialog } from './st-dialog.ts';

export interface AskOptions {
  heading: string;
  /** What happens, in a sentence or two. */
  message: unknown;
  /** The confirm button's label ("Remove", "Stop"). */
  action: string;
  /** A destructive action: the confirm button is red. */
  danger?: boolean;
  /** The name to type before the action runs. */
  typeToConfirm?: string;
  /** Ask for the user's own password (the answer carries it). */
  password?: boolean;
}

export interface AskAnswer { password?: string }

/** The element that has the focus, looking into shadow roots. */
function deepActiveElement(): HTMLElement | null {
  let el = document.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el instanceof HTMLElement ? el : null;
}

export class StConfirm extends LitElement {
  static override styles = [baseStyles, css`p { margin: 0 0 0.5rem; }`];
  static override properties = { options: { attribute: false }, mismatch: { state: true } };
  declare options: AskOptions;
  declare mismatch: boolean;
  resolve: (a: AskAnswer | null) => void = () => undefined;
  private answer: AskAnswer | null = null;
  private returnFocus: HTMLElement | null = null;

  constructor() {
    super();
    this.mismatch = false;
  }

  async open(): Promise<void> {
    this.returnFocus = deepActiveElement();
    await this.updateComplete;
    this.renderRoot.querySelector<StDialog>('st-dialog')?.show();
    this.renderRoot.querySelector<HTMLElement>('input, button.cancel')?.focus();
  }

  private dialog(): StDialog | null {
    return this.renderRoot.querySelector<StDialog>('st-dialog');
  }

  private onSubmit(ev: SubmitEvent): void {
    ev.preventDefault();
    const f = new FormData(ev.target as HTMLFormElement);
    const name = this.options.typeToConfirm;
    if (name !== undefined && String(f.get('typed') ?? '').trim() !== name) {
      this.mismatch = true;
      return;
    }
    this.answer = this.options.password ? { password: String(f.get('password') ?? '') } : {};
    this.dialog()?.close();
  }

  private onClose(): void {
    this.resolve(this.answer);
    this.remove();
    if (this.returnFocus?.isConnected) this.returnFocus.focus();
  }

  override render() {
    const o = this.options;
    return html`<st-dialog heading=${o.heading} @close=${this.onClose}>
      <form id="confirm-form" @submit=${this.onSubmit} novalidate>
        <p>${o.message}</p>
        ${o.typeToConfirm !== undefined ? html`<label for="typed">Type <strong>${o.typeToConfirm}</strong> to confirm</label>
          <input id="typed" name="typed" autocomplete="off" spellcheck="false" required aria-invalid=${this.mismatch ? 'true' : 'false'}
            aria-describedby=${this.mismatch ? 'typed-error' : nothing} @input=${() => { this.mismatch = false; }}>
          ${this.mismatch ? html`<div class="field-error" id="typed-error" role="alert">That is not ${o.typeToConfirm}.</div>` : nothing}` : nothing}
        ${o.password ? html`<label for="password">Your password</label>
          <input id="password" name="password" type="password" autocomplete="current-password" maxlength="1024" required>` : nothing}
      </form>
      <button slot="actions" type="button" class="cancel" @click=${() => this.dialog()?.close()}>Cancel</button>
      <button slot="actions" type="submit" form="confirm-form" class=${o.danger ? 'danger' : 'primary'}>${o.action}</button>
    </st-dialog>`;
  }
}
customElements.define('st-confirm', StConfirm);

/** Asks in a modal dialog; the answer, or null when cancelled (Cancel, Escape, close). */
export function ask(options: AskOptions): Promise<AskAnswer | null> {
  const el = new StConfirm();
  el.options = options;
  const answer = new Promise<AskAnswer | null>((resolve) => { el.resolve = resolve; });
  document.body.append(el);
  void el.open();
  return answer;
}
