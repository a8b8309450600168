import { badUserInput } from '../errors.js';

const USERNAME = /^[A-Za-z0-9_.-]{3,32}$/;
/**
 * The longest raw text that can NFKC-fold to a valid (32-character) name: each
 * allowed character takes at most two UTF-16 units (e.g. U+1D41A "𝐚" -> "a").
 * Longer input is refused before NFKC, which can expand text 18-fold.
 */
const USERNAME_MAX_RAW_UNITS = 64;
const PASSWORD_MIN_CHARS = 8;
/** bcrypt ignores everything past 72 bytes: refuse rather than silently truncate. */
const PASSWORD_MAX_BYTES = 72;

/**
 * NFKC folds compatibility lookalikes (fullwidth "ａｌｉｃｅ" -> "alice");
 * the lower-case form is the unique key, the NFKC form is shown back.
 * Only for text already known to be short (see usernameKeyOrNull).
 */
export function normalizeUsername(raw: string): { username: string; key: string } {
  const username = raw.normalize('NFKC');
  return { username, key: username.toLowerCase() };
}

/** The normalised form of `raw`, or null when no account can have that name. */
function validUsernameOrNull(raw: string): { username: string; key: string } | null {
  if (raw.length > USERNAME_MAX_RAW_UNITS) return null;
  const normalized = normalizeUsername(raw);
  return USERNAME.test(normalized.username) ? normalized : null;
}

/**
 * The unique key a lookup by `raw` would use, or null when `raw` cannot name
 * an account (too long, or not a valid name after NFKC). Safe on any input:
 * the length is checked before normalising.
 */
export function usernameKeyOrNull(raw: string): string | null {
  return validUsernameOrNull(raw)?.key ?? null;
}

export function parseNewUsername(raw: string): { username: string; key: string } {
  const normalized = validUsernameOrNull(raw);
  if (!normalized) {
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
