import bcrypt from 'bcryptjs';

/**
 * Hashes and checks passwords with bcrypt at a configured cost. `verifyOrWaste`
 * compares against a dummy hash of the same cost when there is no user, so a
 * login for an unknown username takes as long as a wrong password.
 */
export class Passwords {
  /** Computed once, in the background from start, so no login pays for it. */
  private readonly dummyHash: Promise<string>;

  constructor(private readonly rounds: number) {
    this.dummyHash = bcrypt.hash('dummy password for timing', rounds);
  }

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.rounds);
  }

  async verifyOrWaste(password: string, hash: string | null): Promise<boolean> {
    if (hash === null) {
      await bcrypt.compare(password, await this.dummyHash);
      return false;
    }
    return bcrypt.compare(password, hash);
  }
}
