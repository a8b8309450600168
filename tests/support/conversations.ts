// GraphQL documents and small helpers for the conversation tests.
import type { Account, GraphQLResponse } from './server.js';

type Gql = <T = any>(query: string, variables?: Record<string, unknown>, token?: string) => Promise<GraphQLResponse<T>>;

export const CONVERSATION_FIELDS = `id kind name topic visibility memberCount unreadCount lastActivityAt viewerMembership { role lastReadMessageId }`;

export const CREATE_CHANNEL = `mutation ($input: CreateChannelInput!) { createChannel(input: $input) { ${CONVERSATION_FIELDS} } }`;
export const OPEN_DIRECT = `mutation ($u: String!) { openDirectConversation(username: $u) { ${CONVERSATION_FIELDS} } }`;
export const SEND = `mutation ($input: CreateMessageInput!) { createMessage(input: $input) { id content clientMessageId createdAt conversation { id } author { username } } }`;
export const CONVERSATION = `query ($id: ID!) { conversation(id: $id) { ${CONVERSATION_FIELDS} messages(first: 50) { edges { node { id content } } } } }`;
export const MESSAGE = `query ($id: ID!) { message(id: $id) { id content conversation { id } } }`;
export const JOIN = `mutation ($id: ID!) { joinChannel(id: $id) { ${CONVERSATION_FIELDS} } }`;
export const LEAVE = `mutation ($id: ID!) { leaveConversation(id: $id) }`;
export const ADD = `mutation ($c: ID!, $u: [String!]!) { addMembers(conversationId: $c, usernames: $u) { ${CONVERSATION_FIELDS} } }`;
export const REMOVE = `mutation ($c: ID!, $u: String!) { removeMember(conversationId: $c, username: $u) { ${CONVERSATION_FIELDS} } }`;
export const MARK_READ = `mutation ($c: ID!, $m: ID!) { markRead(conversationId: $c, messageId: $m) { unreadCount viewerMembership { lastReadMessageId } } }`;
export const TYPING = `mutation ($c: ID!) { typing(conversationId: $c) }`;
export const UPDATE_CHANNEL = `mutation ($id: ID!, $input: UpdateChannelInput!) { updateChannel(id: $id, input: $input) { ${CONVERSATION_FIELDS} } }`;

export const EVENT_FIELDS = `
  __typename cursor conversationId at
  ... on MessageCreatedEvent { message { id content edited } }
  ... on MessageUpdatedEvent { message { id content edited } }
  ... on MessageDeletedEvent { messageId }
  ... on MemberJoinedEvent { membership { role user { username } } }
  ... on MemberLeftEvent { user { username } }
  ... on ConversationUpdatedEvent { conversation { name topic } }
  ... on ReadPositionEvent { user { username } lastReadMessageId }
  ... on TypingEvent { user { username } }`;
export const EVENTS = `subscription ($after: String, $c: ID) { events(after: $after, conversationId: $c) { ${EVENT_FIELDS} } }`;

/** The data of a result, or an exception naming its errors. */
export async function ok<T = any>(result: Promise<GraphQLResponse<T>>): Promise<T> {
  const { data, errors } = await result;
  if (errors?.length || !data) throw new Error(`GraphQL errors: ${JSON.stringify(errors)}`);
  return data;
}

export function conversationApi(gql: Gql) {
  return {
    channel: async (owner: Account, input: Record<string, unknown>) => (await ok(gql(CREATE_CHANNEL, { input }, owner.accessToken))).createChannel,
    direct: async (viewer: Account, username: string) => (await ok(gql(OPEN_DIRECT, { u: username }, viewer.accessToken))).openDirectConversation,
    send: async (author: Account, conversationId: string | null, content: string, clientMessageId?: string) =>
      (await ok(gql(SEND, { input: { content, conversationId, clientMessageId } }, author.accessToken))).createMessage,
  };
}
