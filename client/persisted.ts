// The hashes of the typed documents (client/generated/graphql.ts), as the
// server's trusted-documents manifest knows them: what a client sends instead
// of an operation's text (documentId, or APQ's extensions.persistedQuery).
import { getOperationAST, type DocumentNode } from 'graphql';
import * as generated from './generated/graphql.js';

// By operation name: Apollo Client's and urql's caches hand their links a
// rewritten copy of the document, without the hash codegen attached to it.
const hashes = new Map<string, string>();
for (const value of Object.values(generated)) {
  const hash = (value as { __meta__?: { hash?: unknown } }).__meta__?.hash;
  const name = typeof hash === 'string' ? getOperationAST(value as DocumentNode)?.name?.value : undefined;
  if (name && typeof hash === 'string') hashes.set(name, hash);
}

/** "sha256:<hex>", GraphQL over HTTP's documentId, of a generated operation. */
export function documentId(document: DocumentNode): string {
  const name = getOperationAST(document)?.name?.value;
  const hash = name === undefined ? undefined : hashes.get(name);
  if (!hash) throw new Error(`${name ?? 'an anonymous operation'} is not one of client/operations (run npm run codegen)`);
  return hash;
}

/** The bare hex sha256, APQ's extensions.persistedQuery.sha256Hash. */
export const sha256Hash = (document: DocumentNode): string => documentId(document).replace(/^sha256:/, '');
