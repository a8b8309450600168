import { badUserInput } from '../errors.js';

export const MAX_CONTENT_CHARS = 4000;

/**
 * Trimmed content, 1-4000 characters (Unicode code points, so 4,000 emoji fit).
 * NUL and lone surrogates are refused: they cannot be stored faithfully
 * (PostgreSQL rejects NUL; UTF-8 cannot encode a lone surrogate).
 */
export function parseContent(raw: string): string {
  const content = raw.trim();
  const length = [...content].length;
  if (length === 0) throw badUserInput('Content must not be empty', 'content');
  if (length > MAX_CONTENT_CHARS) {
    throw badUserInput(`Content must be at most ${MAX_CONTENT_CHARS} characters`, 'content');
  }
  if (content.includes('\u0000')) throw badUserInput('Content must not contain NUL characters', 'content');
  if (!content.isWellFormed()) throw badUserInput('Content contains invalid Unicode', 'content');
  return content;
}
