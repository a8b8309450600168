/* eslint-disable */
import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { UserModel } from '../users/model.js';
import type { MessageModel, MessageConnectionModel } from '../messages/model.js';
import type { ConversationModel, ConversationConnectionModel, MembershipModel, MembershipConnectionModel, ConversationEventModel } from '../conversations/model.js';
import type { Context } from '../context.js';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  DateTime: { input: Date; output: Date; }
};

export type AuthPayload = {
  __typename?: 'AuthPayload';
  /** A JWT (jose), short-lived; send as 'Authorization: Bearer <accessToken>'. */
  accessToken: Scalars['String']['output'];
  /** When the access token expires. */
  expiresAt: Scalars['DateTime']['output'];
  /** An opaque token for refreshToken; long-lived, single use. */
  refreshToken: Scalars['String']['output'];
  user: User;
};

export type ChannelVisibility =
  | 'PRIVATE'
  | 'PUBLIC';

export type Conversation = {
  __typename?: 'Conversation';
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  kind: ConversationKind;
  /** Latest message or membership activity. */
  lastActivityAt: Scalars['DateTime']['output'];
  lastMessage?: Maybe<Message>;
  memberCount: Scalars['Int']['output'];
  members: MembershipConnection;
  /** Newest first, paginated like Query.messages. */
  messages: MessageConnection;
  /** Channels only; null for DIRECT. */
  name?: Maybe<Scalars['String']['output']>;
  topic?: Maybe<Scalars['String']['output']>;
  /** Messages by others after the viewer's read position; 0 for non-members. */
  unreadCount: Scalars['Int']['output'];
  /** The viewer's membership, or null. */
  viewerMembership?: Maybe<Membership>;
  /** Channels only; null for DIRECT. */
  visibility?: Maybe<ChannelVisibility>;
};


export type ConversationMembersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type ConversationMessagesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type ConversationConnection = {
  __typename?: 'ConversationConnection';
  edges: Array<ConversationEdge>;
  pageInfo: PageInfo;
  totalCount: Scalars['Int']['output'];
};

export type ConversationEdge = {
  __typename?: 'ConversationEdge';
  cursor: Scalars['String']['output'];
  node: Conversation;
};

/** Something that happened in a conversation. */
export type ConversationEvent = {
  at: Scalars['DateTime']['output'];
  conversationId: Scalars['ID']['output'];
  /** Position in the stream, to pass as events(after:); null for ephemeral events (typing). */
  cursor?: Maybe<Scalars['String']['output']>;
};

export type ConversationKind =
  | 'CHANNEL'
  | 'DIRECT';

/** Name or topic changed. */
export type ConversationUpdatedEvent = ConversationEvent & {
  __typename?: 'ConversationUpdatedEvent';
  at: Scalars['DateTime']['output'];
  conversation: Conversation;
  conversationId: Scalars['ID']['output'];
  cursor?: Maybe<Scalars['String']['output']>;
};

export type CreateChannelInput = {
  memberUsernames?: InputMaybe<Array<Scalars['String']['input']>>;
  /** 1-64 characters: letters, digits, '_', '.', '-'. Unique case-insensitively among PUBLIC channels. */
  name: Scalars['String']['input'];
  /** Up to 250 characters. */
  topic?: InputMaybe<Scalars['String']['input']>;
  visibility?: InputMaybe<ChannelVisibility>;
};

export type CreateMessageInput = {
  /** Idempotency key chosen by the client, unique per author: a retried send with the same key returns the original message and publishes nothing new. */
  clientMessageId?: InputMaybe<Scalars['String']['input']>;
  /** 1-4000 characters after trimming. */
  content: Scalars['String']['input'];
  /** Post into a conversation instead of the public timeline. */
  conversationId?: InputMaybe<Scalars['ID']['input']>;
};

export type LoginInput = {
  password: Scalars['String']['input'];
  username: Scalars['String']['input'];
};

/** A member joined or was added (the viewer too: the stream then includes that conversation). */
export type MemberJoinedEvent = ConversationEvent & {
  __typename?: 'MemberJoinedEvent';
  at: Scalars['DateTime']['output'];
  conversationId: Scalars['ID']['output'];
  cursor?: Maybe<Scalars['String']['output']>;
  membership: Membership;
};

/** A member left or was removed (the viewer too: nothing more from that conversation follows). */
export type MemberLeftEvent = ConversationEvent & {
  __typename?: 'MemberLeftEvent';
  at: Scalars['DateTime']['output'];
  conversationId: Scalars['ID']['output'];
  cursor?: Maybe<Scalars['String']['output']>;
  user: User;
};

export type MemberRole =
  | 'MEMBER'
  | 'OWNER';

export type Membership = {
  __typename?: 'Membership';
  joinedAt: Scalars['DateTime']['output'];
  /** The member's read position, or null if nothing read yet. */
  lastReadMessageId?: Maybe<Scalars['ID']['output']>;
  role: MemberRole;
  user: User;
};

export type MembershipConnection = {
  __typename?: 'MembershipConnection';
  edges: Array<MembershipEdge>;
  pageInfo: PageInfo;
  totalCount: Scalars['Int']['output'];
};

export type MembershipEdge = {
  __typename?: 'MembershipEdge';
  cursor: Scalars['String']['output'];
  node: Membership;
};

export type Message = {
  __typename?: 'Message';
  author: User;
  /** The author's idempotency key, if one was given. */
  clientMessageId?: Maybe<Scalars['String']['output']>;
  content: Scalars['String']['output'];
  /** The conversation it belongs to; null on the public timeline. */
  conversation?: Maybe<Conversation>;
  createdAt: Scalars['DateTime']['output'];
  /** True once the content has been changed after creation. */
  edited: Scalars['Boolean']['output'];
  id: Scalars['ID']['output'];
  updatedAt: Scalars['DateTime']['output'];
};

export type MessageConnection = {
  __typename?: 'MessageConnection';
  edges: Array<MessageEdge>;
  pageInfo: PageInfo;
  totalCount: Scalars['Int']['output'];
};

export type MessageCreatedEvent = ConversationEvent & {
  __typename?: 'MessageCreatedEvent';
  at: Scalars['DateTime']['output'];
  conversationId: Scalars['ID']['output'];
  cursor?: Maybe<Scalars['String']['output']>;
  message: Message;
};

export type MessageDeletedEvent = ConversationEvent & {
  __typename?: 'MessageDeletedEvent';
  at: Scalars['DateTime']['output'];
  conversationId: Scalars['ID']['output'];
  cursor?: Maybe<Scalars['String']['output']>;
  messageId: Scalars['ID']['output'];
};

export type MessageEdge = {
  __typename?: 'MessageEdge';
  cursor: Scalars['String']['output'];
  node: Message;
};

export type MessageUpdatedEvent = ConversationEvent & {
  __typename?: 'MessageUpdatedEvent';
  at: Scalars['DateTime']['output'];
  conversationId: Scalars['ID']['output'];
  cursor?: Maybe<Scalars['String']['output']>;
  message: Message;
};

export type Mutation = {
  __typename?: 'Mutation';
  /** Add members to a channel. OWNER only. */
  addMembers: Conversation;
  /** Creates a channel; the viewer becomes its OWNER, memberUsernames become MEMBERs. */
  createChannel: Conversation;
  /** Requires authentication. */
  createMessage: Message;
  /** Only the author may delete (FORBIDDEN otherwise). Returns the deleted message's id. */
  deleteMessage: Scalars['ID']['output'];
  /** Join a PUBLIC channel (joining twice is a no-op). */
  joinChannel: Conversation;
  /** Leave a channel. DIRECT conversations cannot be left (BAD_USER_INPUT). */
  leaveConversation: Scalars['Boolean']['output'];
  login: AuthPayload;
  /** Revokes the given refresh token (or all of the viewer's sessions when allSessions is true). */
  logout: Scalars['Boolean']['output'];
  /** Moves the viewer's read position to messageId (a message of that conversation, else BAD_USER_INPUT); never moves it backwards. */
  markRead: Conversation;
  /** The direct conversation between the viewer and username, created on first use; always the same one for the same pair, also under concurrent calls. With oneself: BAD_USER_INPUT; unknown user: NOT_FOUND. */
  openDirectConversation: Conversation;
  /** Exchanges a refresh token for a new pair; the old refresh token stops working (rotation). */
  refreshToken: AuthPayload;
  register: AuthPayload;
  /** Remove a member from a channel. OWNER only; the owner cannot remove themselves (BAD_USER_INPUT). */
  removeMember: Conversation;
  /** Tells the other members that the viewer is typing. Ephemeral, never stored; calls within 3 seconds of the viewer's last published TypingEvent in that conversation publish nothing and still return true. Members only. */
  typing: Scalars['Boolean']['output'];
  /** Rename or change the topic. OWNER only (FORBIDDEN for other members). */
  updateChannel: Conversation;
  /** Only the author may update (FORBIDDEN otherwise). */
  updateMessage: Message;
};


export type MutationAddMembersArgs = {
  conversationId: Scalars['ID']['input'];
  usernames: Array<Scalars['String']['input']>;
};


export type MutationCreateChannelArgs = {
  input: CreateChannelInput;
};


export type MutationCreateMessageArgs = {
  input: CreateMessageInput;
};


export type MutationDeleteMessageArgs = {
  id: Scalars['ID']['input'];
};


export type MutationJoinChannelArgs = {
  id: Scalars['ID']['input'];
};


export type MutationLeaveConversationArgs = {
  id: Scalars['ID']['input'];
};


export type MutationLoginArgs = {
  input: LoginInput;
};


export type MutationLogoutArgs = {
  allSessions?: InputMaybe<Scalars['Boolean']['input']>;
  refreshToken?: InputMaybe<Scalars['String']['input']>;
};


export type MutationMarkReadArgs = {
  conversationId: Scalars['ID']['input'];
  messageId: Scalars['ID']['input'];
};


export type MutationOpenDirectConversationArgs = {
  username: Scalars['String']['input'];
};


export type MutationRefreshTokenArgs = {
  refreshToken: Scalars['String']['input'];
};


export type MutationRegisterArgs = {
  input: RegisterInput;
};


export type MutationRemoveMemberArgs = {
  conversationId: Scalars['ID']['input'];
  username: Scalars['String']['input'];
};


export type MutationTypingArgs = {
  conversationId: Scalars['ID']['input'];
};


export type MutationUpdateChannelArgs = {
  id: Scalars['ID']['input'];
  input: UpdateChannelInput;
};


export type MutationUpdateMessageArgs = {
  id: Scalars['ID']['input'];
  input: UpdateMessageInput;
};

export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
  hasPreviousPage: Scalars['Boolean']['output'];
  startCursor?: Maybe<Scalars['String']['output']>;
};

export type Query = {
  __typename?: 'Query';
  /** A conversation the viewer may read, else null. Requires authentication. */
  conversation?: Maybe<Conversation>;
  /** The viewer's conversations (memberships), latest activity first. Requires authentication. */
  conversations: ConversationConnection;
  /** The signed-in user, or null without a valid access token. */
  me?: Maybe<User>;
  /** One message by id, or null if none. Requires authentication. */
  message?: Maybe<Message>;
  /** All messages, newest first. Requires authentication. */
  messages: MessageConnection;
  /** Messages by one author, newest first. Requires authentication. An unknown username gives an empty connection. */
  messagesByUser: MessageConnection;
  /** PUBLIC channels, by name; query filters by a case-insensitive name prefix. Requires authentication. */
  publicChannels: ConversationConnection;
  /** A user by username (case-insensitive), or null. Requires authentication. */
  user?: Maybe<User>;
};


export type QueryConversationArgs = {
  id: Scalars['ID']['input'];
};


export type QueryConversationsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryMessageArgs = {
  id: Scalars['ID']['input'];
};


export type QueryMessagesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryMessagesByUserArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  username: Scalars['String']['input'];
};


export type QueryPublicChannelsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  query?: InputMaybe<Scalars['String']['input']>;
};


export type QueryUserArgs = {
  username: Scalars['String']['input'];
};

/** A member's read position moved (read receipts; the viewer's other devices too). */
export type ReadPositionEvent = ConversationEvent & {
  __typename?: 'ReadPositionEvent';
  at: Scalars['DateTime']['output'];
  conversationId: Scalars['ID']['output'];
  cursor?: Maybe<Scalars['String']['output']>;
  lastReadMessageId: Scalars['ID']['output'];
  user: User;
};

export type RegisterInput = {
  /** At least 8 characters, at most 72 bytes. */
  password: Scalars['String']['input'];
  /** 3-32 characters: letters, digits, '_', '.', '-'. Unique, case-insensitive. */
  username: Scalars['String']['input'];
};

export type Subscription = {
  __typename?: 'Subscription';
  /**
   * Durable changes and ephemeral signals of the viewer's conversations (or of
   * one conversation the viewer may read, with conversationId). Every durable
   * event has a cursor; events are ordered by commit. With `after` (a cursor
   * received earlier) the stream first replays every durable event after it that
   * the viewer may see, in order, then continues live: no gap, no duplicate.
   * A cursor that is too old or unusable: RESYNC_REQUIRED. Requires authentication.
   */
  events: ConversationEvent;
  /** New messages, optionally only those by one author. Requires authentication. */
  messageCreated: Message;
  /** The id of each deleted message. */
  messageDeleted: Scalars['ID']['output'];
  messageUpdated: Message;
};


export type SubscriptionEventsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  conversationId?: InputMaybe<Scalars['ID']['input']>;
};


export type SubscriptionMessageCreatedArgs = {
  username?: InputMaybe<Scalars['String']['input']>;
};

/** Ephemeral: a member is typing. Never replayed (cursor is null). */
export type TypingEvent = ConversationEvent & {
  __typename?: 'TypingEvent';
  at: Scalars['DateTime']['output'];
  conversationId: Scalars['ID']['output'];
  cursor?: Maybe<Scalars['String']['output']>;
  user: User;
};

export type UpdateChannelInput = {
  name?: InputMaybe<Scalars['String']['input']>;
  topic?: InputMaybe<Scalars['String']['input']>;
};

export type UpdateMessageInput = {
  content: Scalars['String']['input'];
};

export type User = {
  __typename?: 'User';
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  messages: MessageConnection;
  username: Scalars['String']['output'];
};


export type UserMessagesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};



export type ResolverTypeWrapper<T> = Promise<T> | T;


export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;





/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  AuthPayload: ResolverTypeWrapper<Omit<AuthPayload, 'user'> & { user: ResolversTypes['User'] }>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  ChannelVisibility: ChannelVisibility;
  Conversation: ResolverTypeWrapper<ConversationModel>;
  ConversationConnection: ResolverTypeWrapper<ConversationConnectionModel>;
  ConversationEdge: ResolverTypeWrapper<Omit<ConversationEdge, 'node'> & { node: ResolversTypes['Conversation'] }>;
  ConversationEvent: ResolverTypeWrapper<ConversationEventModel>;
  ConversationKind: ConversationKind;
  ConversationUpdatedEvent: ResolverTypeWrapper<ConversationEventModel>;
  CreateChannelInput: CreateChannelInput;
  CreateMessageInput: CreateMessageInput;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  LoginInput: LoginInput;
  MemberJoinedEvent: ResolverTypeWrapper<ConversationEventModel>;
  MemberLeftEvent: ResolverTypeWrapper<ConversationEventModel>;
  MemberRole: MemberRole;
  Membership: ResolverTypeWrapper<MembershipModel>;
  MembershipConnection: ResolverTypeWrapper<MembershipConnectionModel>;
  MembershipEdge: ResolverTypeWrapper<Omit<MembershipEdge, 'node'> & { node: ResolversTypes['Membership'] }>;
  Message: ResolverTypeWrapper<MessageModel>;
  MessageConnection: ResolverTypeWrapper<MessageConnectionModel>;
  MessageCreatedEvent: ResolverTypeWrapper<ConversationEventModel>;
  MessageDeletedEvent: ResolverTypeWrapper<ConversationEventModel>;
  MessageEdge: ResolverTypeWrapper<Omit<MessageEdge, 'node'> & { node: ResolversTypes['Message'] }>;
  MessageUpdatedEvent: ResolverTypeWrapper<ConversationEventModel>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  ReadPositionEvent: ResolverTypeWrapper<ConversationEventModel>;
  RegisterInput: RegisterInput;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  TypingEvent: ResolverTypeWrapper<ConversationEventModel>;
  UpdateChannelInput: UpdateChannelInput;
  UpdateMessageInput: UpdateMessageInput;
  User: ResolverTypeWrapper<UserModel>;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  AuthPayload: Omit<AuthPayload, 'user'> & { user: ResolversParentTypes['User'] };
  Boolean: Scalars['Boolean']['output'];
  Conversation: ConversationModel;
  ConversationConnection: ConversationConnectionModel;
  ConversationEdge: Omit<ConversationEdge, 'node'> & { node: ResolversParentTypes['Conversation'] };
  ConversationEvent: ConversationEventModel;
  ConversationUpdatedEvent: ConversationEventModel;
  CreateChannelInput: CreateChannelInput;
  CreateMessageInput: CreateMessageInput;
  DateTime: Scalars['DateTime']['output'];
  ID: Scalars['ID']['output'];
  Int: Scalars['Int']['output'];
  LoginInput: LoginInput;
  MemberJoinedEvent: ConversationEventModel;
  MemberLeftEvent: ConversationEventModel;
  Membership: MembershipModel;
  MembershipConnection: MembershipConnectionModel;
  MembershipEdge: Omit<MembershipEdge, 'node'> & { node: ResolversParentTypes['Membership'] };
  Message: MessageModel;
  MessageConnection: MessageConnectionModel;
  MessageCreatedEvent: ConversationEventModel;
  MessageDeletedEvent: ConversationEventModel;
  MessageEdge: Omit<MessageEdge, 'node'> & { node: ResolversParentTypes['Message'] };
  MessageUpdatedEvent: ConversationEventModel;
  Mutation: Record<PropertyKey, never>;
  PageInfo: PageInfo;
  Query: Record<PropertyKey, never>;
  ReadPositionEvent: ConversationEventModel;
  RegisterInput: RegisterInput;
  String: Scalars['String']['output'];
  Subscription: Record<PropertyKey, never>;
  TypingEvent: ConversationEventModel;
  UpdateChannelInput: UpdateChannelInput;
  UpdateMessageInput: UpdateMessageInput;
  User: UserModel;
};

export type AuthPayloadResolvers<ContextType = Context, ParentType extends ResolversParentTypes['AuthPayload'] = ResolversParentTypes['AuthPayload']> = {
  accessToken?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  expiresAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  refreshToken?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  user?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
};

export type ConversationResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Conversation'] = ResolversParentTypes['Conversation']> = {
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['ConversationKind'], ParentType, ContextType>;
  lastActivityAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  lastMessage?: Resolver<Maybe<ResolversTypes['Message']>, ParentType, ContextType>;
  memberCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  members?: Resolver<ResolversTypes['MembershipConnection'], ParentType, ContextType, RequireFields<ConversationMembersArgs, 'first'>>;
  messages?: Resolver<ResolversTypes['MessageConnection'], ParentType, ContextType, RequireFields<ConversationMessagesArgs, 'first'>>;
  name?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  topic?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  unreadCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  viewerMembership?: Resolver<Maybe<ResolversTypes['Membership']>, ParentType, ContextType>;
  visibility?: Resolver<Maybe<ResolversTypes['ChannelVisibility']>, ParentType, ContextType>;
};

export type ConversationConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ConversationConnection'] = ResolversParentTypes['ConversationConnection']> = {
  edges?: Resolver<Array<ResolversTypes['ConversationEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type ConversationEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ConversationEdge'] = ResolversParentTypes['ConversationEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Conversation'], ParentType, ContextType>;
};

export type ConversationEventResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ConversationEvent'] = ResolversParentTypes['ConversationEvent']> = {
  __resolveType: TypeResolveFn<'ConversationUpdatedEvent' | 'MemberJoinedEvent' | 'MemberLeftEvent' | 'MessageCreatedEvent' | 'MessageDeletedEvent' | 'MessageUpdatedEvent' | 'ReadPositionEvent' | 'TypingEvent', ParentType, ContextType>;
};

export type ConversationUpdatedEventResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ConversationUpdatedEvent'] = ResolversParentTypes['ConversationUpdatedEvent']> = {
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  conversation?: Resolver<ResolversTypes['Conversation'], ParentType, ContextType>;
  conversationId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  cursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type MemberJoinedEventResolvers<ContextType = Context, ParentType extends ResolversParentTypes['MemberJoinedEvent'] = ResolversParentTypes['MemberJoinedEvent']> = {
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  conversationId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  cursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  membership?: Resolver<ResolversTypes['Membership'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type MemberLeftEventResolvers<ContextType = Context, ParentType extends ResolversParentTypes['MemberLeftEvent'] = ResolversParentTypes['MemberLeftEvent']> = {
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  conversationId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  cursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  user?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type MembershipResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Membership'] = ResolversParentTypes['Membership']> = {
  joinedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  lastReadMessageId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  role?: Resolver<ResolversTypes['MemberRole'], ParentType, ContextType>;
  user?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
};

export type MembershipConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['MembershipConnection'] = ResolversParentTypes['MembershipConnection']> = {
  edges?: Resolver<Array<ResolversTypes['MembershipEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type MembershipEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['MembershipEdge'] = ResolversParentTypes['MembershipEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Membership'], ParentType, ContextType>;
};

export type MessageResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Message'] = ResolversParentTypes['Message']> = {
  author?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
  clientMessageId?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  content?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  conversation?: Resolver<Maybe<ResolversTypes['Conversation']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  edited?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
};

export type MessageConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['MessageConnection'] = ResolversParentTypes['MessageConnection']> = {
  edges?: Resolver<Array<ResolversTypes['MessageEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type MessageCreatedEventResolvers<ContextType = Context, ParentType extends ResolversParentTypes['MessageCreatedEvent'] = ResolversParentTypes['MessageCreatedEvent']> = {
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  conversationId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  cursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  message?: Resolver<ResolversTypes['Message'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type MessageDeletedEventResolvers<ContextType = Context, ParentType extends ResolversParentTypes['MessageDeletedEvent'] = ResolversParentTypes['MessageDeletedEvent']> = {
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  conversationId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  cursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  messageId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type MessageEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['MessageEdge'] = ResolversParentTypes['MessageEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Message'], ParentType, ContextType>;
};

export type MessageUpdatedEventResolvers<ContextType = Context, ParentType extends ResolversParentTypes['MessageUpdatedEvent'] = ResolversParentTypes['MessageUpdatedEvent']> = {
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  conversationId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  cursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  message?: Resolver<ResolversTypes['Message'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type MutationResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  addMembers?: Resolver<ResolversTypes['Conversation'], ParentType, ContextType, RequireFields<MutationAddMembersArgs, 'conversationId' | 'usernames'>>;
  createChannel?: Resolver<ResolversTypes['Conversation'], ParentType, ContextType, RequireFields<MutationCreateChannelArgs, 'input'>>;
  createMessage?: Resolver<ResolversTypes['Message'], ParentType, ContextType, RequireFields<MutationCreateMessageArgs, 'input'>>;
  deleteMessage?: Resolver<ResolversTypes['ID'], ParentType, ContextType, RequireFields<MutationDeleteMessageArgs, 'id'>>;
  joinChannel?: Resolver<ResolversTypes['Conversation'], ParentType, ContextType, RequireFields<MutationJoinChannelArgs, 'id'>>;
  leaveConversation?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationLeaveConversationArgs, 'id'>>;
  login?: Resolver<ResolversTypes['AuthPayload'], ParentType, ContextType, RequireFields<MutationLoginArgs, 'input'>>;
  logout?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationLogoutArgs, 'allSessions'>>;
  markRead?: Resolver<ResolversTypes['Conversation'], ParentType, ContextType, RequireFields<MutationMarkReadArgs, 'conversationId' | 'messageId'>>;
  openDirectConversation?: Resolver<ResolversTypes['Conversation'], ParentType, ContextType, RequireFields<MutationOpenDirectConversationArgs, 'username'>>;
  refreshToken?: Resolver<ResolversTypes['AuthPayload'], ParentType, ContextType, RequireFields<MutationRefreshTokenArgs, 'refreshToken'>>;
  register?: Resolver<ResolversTypes['AuthPayload'], ParentType, ContextType, RequireFields<MutationRegisterArgs, 'input'>>;
  removeMember?: Resolver<ResolversTypes['Conversation'], ParentType, ContextType, RequireFields<MutationRemoveMemberArgs, 'conversationId' | 'username'>>;
  typing?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationTypingArgs, 'conversationId'>>;
  updateChannel?: Resolver<ResolversTypes['Conversation'], ParentType, ContextType, RequireFields<MutationUpdateChannelArgs, 'id' | 'input'>>;
  updateMessage?: Resolver<ResolversTypes['Message'], ParentType, ContextType, RequireFields<MutationUpdateMessageArgs, 'id' | 'input'>>;
};

export type PageInfoResolvers<ContextType = Context, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = {
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  hasPreviousPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  startCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export type QueryResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  conversation?: Resolver<Maybe<ResolversTypes['Conversation']>, ParentType, ContextType, RequireFields<QueryConversationArgs, 'id'>>;
  conversations?: Resolver<ResolversTypes['ConversationConnection'], ParentType, ContextType, RequireFields<QueryConversationsArgs, 'first'>>;
  me?: Resolver<Maybe<ResolversTypes['User']>, ParentType, ContextType>;
  message?: Resolver<Maybe<ResolversTypes['Message']>, ParentType, ContextType, RequireFields<QueryMessageArgs, 'id'>>;
  messages?: Resolver<ResolversTypes['MessageConnection'], ParentType, ContextType, RequireFields<QueryMessagesArgs, 'first'>>;
  messagesByUser?: Resolver<ResolversTypes['MessageConnection'], ParentType, ContextType, RequireFields<QueryMessagesByUserArgs, 'first' | 'username'>>;
  publicChannels?: Resolver<ResolversTypes['ConversationConnection'], ParentType, ContextType, RequireFields<QueryPublicChannelsArgs, 'first'>>;
  user?: Resolver<Maybe<ResolversTypes['User']>, ParentType, ContextType, RequireFields<QueryUserArgs, 'username'>>;
};

export type ReadPositionEventResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ReadPositionEvent'] = ResolversParentTypes['ReadPositionEvent']> = {
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  conversationId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  cursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  lastReadMessageId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  user?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type SubscriptionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = {
  events?: SubscriptionResolver<ResolversTypes['ConversationEvent'], "events", ParentType, ContextType, Partial<SubscriptionEventsArgs>>;
  messageCreated?: SubscriptionResolver<ResolversTypes['Message'], "messageCreated", ParentType, ContextType, Partial<SubscriptionMessageCreatedArgs>>;
  messageDeleted?: SubscriptionResolver<ResolversTypes['ID'], "messageDeleted", ParentType, ContextType>;
  messageUpdated?: SubscriptionResolver<ResolversTypes['Message'], "messageUpdated", ParentType, ContextType>;
};

export type TypingEventResolvers<ContextType = Context, ParentType extends ResolversParentTypes['TypingEvent'] = ResolversParentTypes['TypingEvent']> = {
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  conversationId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  cursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  user?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type UserResolvers<ContextType = Context, ParentType extends ResolversParentTypes['User'] = ResolversParentTypes['User']> = {
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  messages?: Resolver<ResolversTypes['MessageConnection'], ParentType, ContextType, RequireFields<UserMessagesArgs, 'first'>>;
  username?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type Resolvers<ContextType = Context> = {
  AuthPayload?: AuthPayloadResolvers<ContextType>;
  Conversation?: ConversationResolvers<ContextType>;
  ConversationConnection?: ConversationConnectionResolvers<ContextType>;
  ConversationEdge?: ConversationEdgeResolvers<ContextType>;
  ConversationEvent?: ConversationEventResolvers<ContextType>;
  ConversationUpdatedEvent?: ConversationUpdatedEventResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  MemberJoinedEvent?: MemberJoinedEventResolvers<ContextType>;
  MemberLeftEvent?: MemberLeftEventResolvers<ContextType>;
  Membership?: MembershipResolvers<ContextType>;
  MembershipConnection?: MembershipConnectionResolvers<ContextType>;
  MembershipEdge?: MembershipEdgeResolvers<ContextType>;
  Message?: MessageResolvers<ContextType>;
  MessageConnection?: MessageConnectionResolvers<ContextType>;
  MessageCreatedEvent?: MessageCreatedEventResolvers<ContextType>;
  MessageDeletedEvent?: MessageDeletedEventResolvers<ContextType>;
  MessageEdge?: MessageEdgeResolvers<ContextType>;
  MessageUpdatedEvent?: MessageUpdatedEventResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  ReadPositionEvent?: ReadPositionEventResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  TypingEvent?: TypingEventResolvers<ContextType>;
  User?: UserResolvers<ContextType>;
};

