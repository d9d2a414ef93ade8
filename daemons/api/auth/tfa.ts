// Second factors (filled in by the TFA step): for now nobody has one.
import type { Store } from '../store/store.ts';

export interface RelyingParty { id: string; origin: string }

export class TfaService {
  constructor(readonly store: Store, readonly now: () => number) {}

  /** The login challenge for a user with second factors, or null when they have none. */
  async challenge(_userid: string, _rp: RelyingParty): Promise<Record<string, unknown> | null> {
    return null;
  }

  async removeUser(_userid: string): Promise<void> {}

  /** Clears lockouts; true when something was locked. */
  async unlock(_userid: string): Promise<boolean> {
    return false;
  }
}
