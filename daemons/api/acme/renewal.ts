// Automatic renewal: once a day the API checks the certificate it serves; when ACME is
// configured and it expires within 30 days, an order runs as if an admin had started it
// (trigger 'renewal', same job log and audit trail). The schedule lives in the store (last
// check, its outcome, the next check), so a restart keeps the daily rhythm instead of
// starting over: the next check is the stored one, or a minute after start when that is
// already past (or none was planned yet).
import type { Logger } from '../../common/log.ts';
import type { AcmeService } from './acme-service.ts';

export const RENEW_BEFORE_S = 30 * 86_400;
export const CHECK_EVERY_MS = 86_400_000;
const FIRST_CHECK_MS = 60_000;
const ACTOR = { user: 'steward-api (acme renewal)' };

export type RenewalOutcome = 'not-configured' | 'not-due' | 'busy' | 'renewed' | 'failed';

export class AcmeRenewal {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly acme: AcmeService,
    private readonly log: Logger,
  ) {}

  /** One check; renews (and waits for the order) when due. The clock is the service's. */
  async check(): Promise<RenewalOutcome> {
    const outcome = await this.decide();
    await this.acme.setRenewalState({ lastCheck: Math.floor(this.acme.now() / 1000), outcome });
    return outcome;
  }

  private async decide(): Promise<RenewalOutcome> {
    if (!this.acme.settings()) return 'not-configured';
    let notAfter: number;
    try {
      ({ notAfter } = await this.acme.installed());
    } catch {
      notAfter = 0; // no readable certificate: get one
    }
    const left = notAfter - this.acme.now() / 1000;
    if (left > RENEW_BEFORE_S) return 'not-due';
    if (this.acme.job()?.state === 'running') return 'busy';
    this.log.notice('acme renewal due', { daysLeft: Math.floor(left / 86_400) });
    this.acme.startOrder(ACTOR, 'renewal');
    const job = await this.acme.wait();
    return job?.state === 'ok' ? 'renewed' : 'failed';
  }

  /** Milliseconds until the next check: the stored plan if still ahead, else a minute. */
  firstDelay(): number {
    const next = this.acme.renewalState().nextCheck;
    const ahead = next === null ? 0 : next * 1000 - this.acme.now();
    return Math.max(FIRST_CHECK_MS, Math.min(ahead, CHECK_EVERY_MS));
  }

  start(): void {
    const plan = (delayMs: number) => {
      this.timer = setTimeout(run, delayMs);
      this.timer.unref();
      const nextCheck = Math.floor((this.acme.now() + delayMs) / 1000);
      this.acme.setRenewalState({ nextCheck }).catch((err: unknown) => this.log.warn('acme renewal schedule not saved', { error: String(err) }));
    };
    const run = () => {
      this.check().catch((err: unknown) => this.log.warn('acme renewal check failed', { error: String(err) }));
      plan(CHECK_EVERY_MS);
    };
    plan(this.firstDelay());
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}
