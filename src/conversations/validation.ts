import { badUserInput } from '../errors.js';
import { parseContent } from '../messages/validation.js';

const CHANNEL_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const NAME_PREFIX = /^[A-Za-z0-9_.-]{0,64}$/;
const MAX_TOPIC_CHARS = 250;
/** Users added by one createChannel or addMembers call. */
export const MAX_USERNAMES_PER_CALL = 100;
const CLIENT_MESSAGE_ID = /^[\x21-\x7e]{1,64}$/;

export function parseChannelName(raw: string): { name: string; key: string } {
  if (!CHANNEL_NAME.test(raw)) throw badUserInput("Channel names are 1-64 characters: letters, digits, '_', '.', '-'", 'name');
  return { name: raw, key: raw.toLowerCase() };
}

/** A topic of up to 250 characters (trimmed; empty clears it). */
export function parseTopic(raw: string | null | undefined): string | null {
  if (raw == null || raw.trim() === '') return null;
  const topic = parseContent(raw);
  if ([...topic].length > MAX_TOPIC_CHARS) throw badUserInput(`Topic must be at most ${MAX_TOPIC_CHARS} characters`, 'topic');
  return topic;
}

/** The lower-case prefix publicChannels filters by, or null when no channel name can start with it. */
export function channelPrefixOrNull(raw: string | null | undefined): string | null {
  if (raw == null) return '';
  return NAME_PREFIX.test(raw) ? raw.toLowerCase() : null;
}

export function parseUsernames(raw: readonly string[]): readonly string[] {
  if (raw.length > MAX_USERNAMES_PER_CALL) throw badUserInput(`At most ${MAX_USERNAMES_PER_CALL} usernames per call`, 'usernames');
  return raw;
}

/** 1-64 printable ASCII characters (a UUID or a ULID fits). */
export function parseClientMessageId(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  if (!CLIENT_MESSAGE_ID.test(raw)) throw badUserInput('clientMessageId must be 1-64 printable ASCII characters', 'clientMessageId');
  return raw;
}
