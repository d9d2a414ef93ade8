// What the administration list pages share: load a list (showing the API's error when that
// fails), reload after a change, open and close the page's dialog.
import { LitElement } from 'lit';
import type { PropertyDeclarations } from 'lit';
import { errorText } from '../../api/client.ts';
import type { StDialog } from '../../components/st-dialog.ts';

export abstract class StAdminList<T> extends LitElement {
  static override properties: PropertyDeclarations = { list: { state: true }, error: { state: true } };
  declare list: T[] | undefined;
  declare error: string | undefined;

  protected abstract fetchList(): Promise<T[]>;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  protected async load(): Promise<void> {
    try {
      this.list = await this.fetchList();
      this.error = undefined;
    } catch (err) {
      this.error = errorText(err);
    }
  }

  /** Shows the dialog once it is rendered (call after setting the state that renders it). */
  protected async showDialog(selector = 'st-dialog'): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<StDialog>(selector)?.show();
  }

  protected closeDialog(selector = 'st-dialog'): void {
    this.renderRoot.querySelector<StDialog>(selector)?.close();
  }
}
