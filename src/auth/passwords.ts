import bcrypt from 'bcryptjs';

/**
 * Hashes and checks passwords with bcrypt at a configured cost. `verifyOrWaste`
 * compares against a dummy hash of the same cost when there is no user, so a
 * login for an unknown username takes as long as a wrong password.
 */
export class Passwords {
  private dummyHash: Promise<string> | null = null;

  constructor(private readonly rounds: number) {}

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.rounds);
  }

  async verifyOrWaste(password: string, hash: string | null): Promise<boolean> {
    if (hash === null) {
      this.dummyHash ??= bcrypt.hash('dummy password for timing', this.rounds);
      await bcrypt.compare(password, await this.dummyHash);
      return false;
    }
    return bcrypt.compare(password, hash);
  }
}
