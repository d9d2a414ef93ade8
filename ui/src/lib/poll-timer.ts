// The one way a component polls: a single planned run, replaced by the next plan, cancelled
// on demand and whenever the component leaves the page — never planned while it is away.
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export class PollTimer implements ReactiveController {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly host: ReactiveControllerHost & HTMLElement) {
    host.addController(this);
  }

  /** Runs `fn` in `ms` (the run planned before is dropped); nothing while the host is off the page. */
  schedule(fn: () => void, ms: number): void {
    this.cancel();
    if (this.host.isConnected) this.timer = setTimeout(fn, ms);
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  hostDisconnected(): void {
    this.cancel();
  }
}
