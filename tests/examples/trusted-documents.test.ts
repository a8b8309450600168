// Trusted documents (TRUSTED_DOCUMENTS, src/graphql/trustedDocuments.ts): an
// operation of client/generated/persisted-documents.json sent by its hash runs
// over HTTP (APQ's extensions.persistedQuery, GraphQL over HTTP's documentId)
// and WebSocket; with `only`, an unknown hash and any other document are
// refused before anything runs. With the default `allow` everything works as
// before, Apollo's own APQ registration included.
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { print, type DocumentNode } from 'graphql';
import type { Client } from 'graphql-ws';
import { ConfigError, loadConfig } from '../../src/config.js';
import { codes, startTestServer, testEnv, type GraphQLResponse, type TestServer } from '../support/server.js';
import { documentId, sha256Hash } from '../../client/persisted.js';
import manifest from '../../client/generated/persisted-documents.json' with { type: 'json' };
import {
  MessageCreatedDocument,
  MessageDocument,
  MessagesByUserDocument,
  RegisterDocument,
  SendMessageDocument,
  CreateMessageDocument,
  OpenDirectConversationDocument,
  EventsDocument,
} from '../../client/generated/graphql.js';

const UNKNOWN_HASH = 'f'.repeat(64);
const RAW_CREATE = 'mutation ($content: String!) { createMessage(input: { content: $content }) { id content } }';

async function post(server: TestServer, body: Record<string, unknown>, token?: string): Promise<{ status: number; result: GraphQLResponse }> {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, result: (await response.json()) as GraphQLResponse };
}

/** APQ's form: extensions.persistedQuery.sha256Hash, no query text. */
const apq = (document: DocumentNode, variables: Record<string, unknown> = {}) => ({
  variables,
  extensions: { persistedQuery: { version: 1, sha256Hash: sha256Hash(document) } },
});

/** Registers a user by hash; returns the access token. */
async function register(server: TestServer, username: string): Promise<string> {
  const { result } = await post(server, apq(RegisterDocument, { input: { username, password: 'correct horse battery' } }));
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  return result.data.register.accessToken;
}

/** The first result of a subscription sent with `payload`, or its errors. */
function firstResult(client: Client, payload: { query: string; variables?: Record<string, unknown>; extensions?: Record<string, unknown>; documentId?: string }) {
  return new Promise<GraphQLResponse>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no result within 3 s')), 3000);
    const stop = client.subscribe(payload as Parameters<Client['subscribe']>[0], {
      next: (result) => {
        clearTimeout(timer);
        stop();
        resolve(result as GraphQLResponse);
      },
      error: (errors) => {
        clearTimeout(timer);
        resolve({ errors: errors as GraphQLResponse['errors'] });
      },
      complete: () => {},
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('TRUSTED_DOCUMENTS=only', () => {
  let server: TestServer;
  let token: string;
  let username: string;
  before(async () => {
    server = await startTestServer({ TRUSTED_DOCUMENTS: 'only' });
    username = `trusted_${process.pid}`;
    token = await register(server, username);
  });
  after(() => server.stop());

  const messageCount = (content: string) => server.app.services.db.message.count({ where: { content } });

  test('a manifest document sent by hash runs over HTTP: APQ extension, documentId in a POST body and in a GET', async () => {
    const created = await post(server, { documentId: documentId(CreateMessageDocument), variables: { input: { content: 'sent by documentId' } } }, token);
    assert.equal(created.result.errors, undefined, JSON.stringify(created.result.errors));
    assert.equal(created.result.data.createMessage.content, 'sent by documentId');

    const byApq = await post(server, apq(MessagesByUserDocument, { username }), token);
    assert.deepEqual(byApq.result.data.messagesByUser.edges.map((edge: any) => edge.node.content), ['sent by documentId']);

    const search = new URLSearchParams({ documentId: documentId(MessageDocument), variables: JSON.stringify({ id: created.result.data.createMessage.id }) });
    const response = await fetch(`${server.url}?${search}`, { headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' } });
    const byGet = (await response.json()) as GraphQLResponse;
    assert.equal(response.status, 200);
    assert.equal(byGet.data.message.content, 'sent by documentId');
  });

  test('a manifest document sent by hash runs over WebSocket (APQ extension and documentId, empty query text)', async () => {
    const client = server.ws(token);
    const created = firstResult(client, { query: '', extensions: { persistedQuery: { version: 1, sha256Hash: sha256Hash(MessageCreatedDocument) } } });
    const { result: opened } = await post(server, apq(OpenDirectConversationDocument, { username: (await register(server, `peer_${process.pid}`), `peer_${process.pid}`) }), token);
    const conversationId = opened.data.openDirectConversation.id;
    const events = firstResult(client, { query: '', documentId: documentId(EventsDocument), variables: { conversationId } });
    await sleep(200); // let the server register both subscriptions

    await post(server, apq(CreateMessageDocument, { input: { content: 'to the timeline' } }), token);
    await post(server, apq(SendMessageDocument, { conversationId, content: 'to the conversation' }), token);
    assert.equal((await created).data?.messageCreated.content, 'to the timeline');
    const event = (await events).data?.events;
    assert.equal(event.__typename, 'MessageCreatedEvent');
    assert.equal(event.message.content, 'to the conversation');
  });

  test('an unknown hash is refused with PERSISTED_QUERY_NOT_FOUND on both transports', async () => {
    const byApq = await post(server, { extensions: { persistedQuery: { version: 1, sha256Hash: UNKNOWN_HASH } } }, token);
    assert.deepEqual(codes(byApq.result), ['PERSISTED_QUERY_NOT_FOUND']);
    const byDocumentId = await post(server, { documentId: `sha256:${UNKNOWN_HASH}` }, token);
    assert.deepEqual(codes(byDocumentId.result), ['PERSISTED_QUERY_NOT_FOUND']);
    const overWebSocket = await firstResult(server.ws(token), { query: '', documentId: `sha256:${UNKNOWN_HASH}` });
    assert.deepEqual(codes(overWebSocket), ['PERSISTED_QUERY_NOT_FOUND']);
  });

  test('a document that is not in the manifest is refused with TRUSTED_DOCUMENT_REQUIRED and does not run, on both transports', async () => {
    const raw = await post(server, { query: RAW_CREATE, variables: { content: 'raw over HTTP' } }, token);
    assert.equal(raw.status, 400);
    assert.deepEqual(codes(raw.result), ['TRUSTED_DOCUMENT_REQUIRED']);
    assert.equal(raw.result.data, undefined);

    // APQ registration (text + its true hash) cannot add a document either.
    const hash = createHash('sha256').update(RAW_CREATE).digest('hex');
    const registration = await post(server, { query: RAW_CREATE, variables: { content: 'registered over APQ' }, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }, token);
    assert.deepEqual(codes(registration.result), ['TRUSTED_DOCUMENT_REQUIRED']);
    const replay = await post(server, { variables: { content: 'registered over APQ' }, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }, token);
    assert.deepEqual(codes(replay.result), ['PERSISTED_QUERY_NOT_FOUND']);

    const overWebSocket = await firstResult(server.ws(token), { query: RAW_CREATE, variables: { content: 'raw over WebSocket' } });
    assert.deepEqual(codes(overWebSocket), ['TRUSTED_DOCUMENT_REQUIRED']);

    const search = new URLSearchParams({ query: '{ me { id username } }' });
    const rawGet = await fetch(`${server.url}?${search}`, { headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' } });
    assert.equal(rawGet.status, 400);
    assert.deepEqual(codes((await rawGet.json()) as GraphQLResponse), ['TRUSTED_DOCUMENT_REQUIRED']);

    // Reformatted, a trusted operation is another document.
    const reprinted = await post(server, { query: print(MessagesByUserDocument), variables: { username } }, token);
    assert.deepEqual(codes(reprinted.result), ['TRUSTED_DOCUMENT_REQUIRED']);

    assert.equal(await messageCount('raw over HTTP'), 0);
    assert.equal(await messageCount('registered over APQ'), 0);
    assert.equal(await messageCount('raw over WebSocket'), 0);
  });

  test("the exact text of a manifest document is that document: it runs", async () => {
    const text = (manifest as Record<string, string>)[documentId(CreateMessageDocument)]!;
    const { result } = await post(server, { query: text, variables: { input: { content: 'the manifest text' } } }, token);
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    assert.equal(await messageCount('the manifest text'), 1);
  });
});

describe('TRUSTED_DOCUMENTS=allow (the default)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  test('any document runs, manifest hashes too, and APQ registers new documents as before', async () => {
    const token = await register(server, `allowed_${process.pid}`);
    const raw = await post(server, { query: RAW_CREATE, variables: { content: 'raw is fine here' } }, token);
    assert.equal(raw.result.data.createMessage.content, 'raw is fine here');

    const hash = createHash('sha256').update(RAW_CREATE).digest('hex');
    const registration = await post(server, { query: RAW_CREATE, variables: { content: 'registered' }, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }, token);
    assert.equal(registration.result.data.createMessage.content, 'registered');
    const byHash = await post(server, { variables: { content: 'by its new hash' }, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }, token);
    assert.equal(byHash.result.data.createMessage.content, 'by its new hash');

    const manifestHash = await post(server, apq(MessagesByUserDocument, { username: `allowed_${process.pid}` }), token);
    assert.equal(manifestHash.result.data.messagesByUser.totalCount, 3);

    const unknown = await post(server, { documentId: `sha256:${UNKNOWN_HASH}` }, token);
    assert.deepEqual(codes(unknown.result), ['PERSISTED_QUERY_NOT_FOUND']);
  });
});

test('TRUSTED_DOCUMENTS accepts allow or only, and names itself otherwise', () => {
  assert.equal(loadConfig(testEnv('file:unused.db')).trustedDocuments, 'allow');
  assert.equal(loadConfig(testEnv('file:unused.db', { TRUSTED_DOCUMENTS: 'only' })).trustedDocuments, 'only');
  assert.throws(() => loadConfig(testEnv('file:unused.db', { TRUSTED_DOCUMENTS: 'sometimes' })), (error: unknown) => error instanceof ConfigError && /TRUSTED_DOCUMENTS/.test(error.message));
});
