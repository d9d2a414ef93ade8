// Sets inline style properties through the CSSOM (element.style.setProperty). The strict
// CSP (style-src 'self') refuses style attributes, which is what lit's styleMap writes on
// first render; CSSOM writes are allowed.
import { noChange } from 'lit';
import type { ElementPart } from 'lit';
import { Directive, PartType, directive } from 'lit/directive.js';
import type { PartInfo } from 'lit/directive.js';

class StylePropsDirective extends Directive {
  constructor(info: PartInfo) {
    super(info);
    if (info.type !== PartType.ELEMENT) throw new Error('styleProps belongs on an element');
  }
  render(_props: Record<string, string>) {
    return noChange;
  }
  override update(part: ElementPart, [props]: [Record<string, string>]) {
    const style = (part.element as HTMLElement).style;
    for (const [k, v] of Object.entries(props)) style.setProperty(k, v);
    return noChange;
  }
}

export const styleProps = directive(StylePropsDirective);
