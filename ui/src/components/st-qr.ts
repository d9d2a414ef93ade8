// A QR code as SVG (uqr encodes; one <path> draws the dark modules), for TOTP enrolment.
import { LitElement, css, svg } from 'lit';
import { encode } from 'uqr';

export function qrPath(data: boolean[][]): string {
  let d = '';
  data.forEach((row, y) => row.forEach((dark, x) => {
    if (dark) d += `M${x} ${y}h1v1h-1z`;
  }));
  return d;
}

export class StQr extends LitElement {
  static override styles = css`
    :host { display: inline-block; background: #fff; padding: 0.5rem; border-radius: 4px; }
    svg { display: block; width: 12rem; height: 12rem; }
  `;
  static override properties = { value: {}, label: {} };
  declare value: string;
  declare label: string;

  override render() {
    const qr = encode(this.value ?? '', { ecc: 'M', border: 2 });
    return svg`<svg viewBox="0 0 ${qr.size} ${qr.size}" role="img" aria-label=${this.label ?? 'QR code'} shape-rendering="crispEdges">
      <path fill="#000" d=${qrPath(qr.data)}></path></svg>`;
  }
}
customElements.define('st-qr', StQr);
