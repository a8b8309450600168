import { badUserInput } from '../errors.js';

const USERNAME = /^[A-Za-z0-9_.-]{3,32}$/;
const PASSWORD_MIN_CHARS = 8;
/** bcrypt ignores everything past 72 bytes: refuse rather than silently truncate. */
const PASSWORD_MAX_BYTES = 72;

/**
 * NFKC folds compatibility lookalikes (fullwidth "ａｌｉｃｅ" -> "alice");
 * the lower-case form is the unique key, the NFKC form is shown back.
 */
export function normalizeUsername(raw: string): { username: string; key: string } {
  const username = raw.normalize('NFKC');
  return { username, key: username.toLowerCase() };
}

export function parseNewUsername(raw: string): { username: string; key: string } {
  const normalized = normalizeUsername(raw);
  if (!USERNAME.test(normalized.username)) {
    throw badUserInput("Username must be 3-32 characters: letters, digits, '_', '.', '-'", 'username');
  }
  return normalized;
}

export function checkNewPassword(password: string): void {
  if ([...password].length < PASSWORD_MIN_CHARS) {
    throw badUserInput(`Password must be at least ${PASSWORD_MIN_CHARS} characters`, 'password');
  }
  if (Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES) {
    throw badUserInput(`Password must be at most ${PASSWORD_MAX_BYTES} bytes`, 'password');
  }
  if (!password.isWellFormed()) throw badUserInput('Password contains invalid Unicode', 'password');
}
