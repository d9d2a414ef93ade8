// Automatic renewal: once a day (and once shortly after start) the API checks the
// certificate it serves; when ACME is configured and it expires within 30 days, an order
// runs as if an admin had started it (trigger 'renewal', same job log and audit trail).
import type { Logger } from '../../common/log.ts';
import type { AcmeService } from './acme-service.ts';

export const RENEW_BEFORE_S = 30 * 86_400;
const CHECK_EVERY_MS = 86_400_000;
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

  start(): void {
    const run = () => {
      this.check().catch((err: unknown) => this.log.warn('acme renewal check failed', { error: String(err) }));
      this.timer = setTimeout(run, CHECK_EVERY_MS);
      this.timer.unref();
    };
    this.timer = setTimeout(run, FIRST_CHECK_MS);
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}
