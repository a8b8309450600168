// Trusted documents: the operations of the typed client (client/operations/),
// which `npm run codegen` hashes into client/generated/persisted-documents.json
// ("sha256:<hex>" -> document). A client may send an operation by its hash
// instead of its text:
//
//   HTTP       extensions.persistedQuery.sha256Hash (Apollo's APQ protocol),
//              answered by Apollo Server's own persisted-query path, whose
//              store is `apqCache()` below; or documentId ("sha256:<hex>",
//              GraphQL over HTTP's persisted documents), which the handler
//              turns into the former (`httpRequest`)
//   WebSocket  the same two fields in the subscribe payload (`query` may then
//              be empty): `subscribeDocument`
//
// TRUSTED_DOCUMENTS=only refuses every other document before it is parsed, so
// nothing but what the client ships can run: an unknown hash answers
// PERSISTED_QUERY_NOT_FOUND, a document's text that is not in the manifest
// TRUSTED_DOCUMENT_REQUIRED, and APQ cannot register new documents.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PersistedQueryOptions } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { LRUCache } from 'lru-cache';

export const MANIFEST_URL = new URL('../../client/generated/persisted-documents.json', import.meta.url);

export type TrustedDocumentsMode = 'allow' | 'only';

export const TrustedDocumentCode = {
  /** Apollo's code for a hash it has no document for; Apollo Client and urql then send the text. */
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  TRUSTED_DOCUMENT_REQUIRED: 'TRUSTED_DOCUMENT_REQUIRED',
} as const;

/** Apollo's message for the same refusal: Apollo Client's persisted-query link matches on it too. */
export const persistedQueryNotFound = () =>
  new GraphQLError('PersistedQueryNotFound', { extensions: { code: TrustedDocumentCode.PERSISTED_QUERY_NOT_FOUND } });

export const trustedDocumentRequired = () =>
  new GraphQLError("This server runs only trusted documents: send the operation by its hash from the client's persisted-documents manifest (documentId or extensions.persistedQuery.sha256Hash)", {
    extensions: { code: TrustedDocumentCode.TRUSTED_DOCUMENT_REQUIRED },
  });

type KeyValueCache = NonNullable<PersistedQueryOptions['cache']>;

interface Manifest {
  /** By the bare hex sha256 (the APQ form); documentId's "sha256:" prefix is removed before lookup. */
  byHash: ReadonlyMap<string, string>;
  texts: ReadonlySet<string>;
}

const SHA256_PREFIX = 'sha256:';
const bareHash = (hash: string) => (hash.startsWith(SHA256_PREFIX) ? hash.slice(SHA256_PREFIX.length) : hash);

/** Read once per process and path: every server and transport shares it. */
const manifests = new Map<string, Manifest | null>();

function readManifest(url: URL): Manifest | null {
  const key = url.href;
  if (!manifests.has(key)) {
    let text: string | null = null;
    try {
      text = readFileSync(url, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    manifests.set(key, text === null ? null : parseManifest(text, url));
  }
  return manifests.get(key)!;
}

function parseManifest(text: string, url: URL): Manifest {
  const entries: unknown = JSON.parse(text);
  if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) {
    throw new Error(`${fileURLToPath(url)}: expected an object of hash -> document`);
  }
  const byHash = new Map<string, string>();
  for (const [hash, document] of Object.entries(entries)) {
    if (typeof document !== 'string') throw new Error(`${fileURLToPath(url)}: the document of ${hash} is not a string`);
    byHash.set(bareHash(hash), document);
  }
  return { byHash, texts: new Set(byHash.values()) };
}

/** The documents that are trusted, and how strictly (TRUSTED_DOCUMENTS). */
export class TrustedDocuments {
  private constructor(
    readonly mode: TrustedDocumentsMode,
    private readonly manifest: Manifest,
  ) {}

  /**
   * Fails when `only` is asked for and there is no manifest (nothing could
   * run); with `allow` a missing manifest only means no hash is known.
   */
  static load(mode: TrustedDocumentsMode, url: URL = MANIFEST_URL): TrustedDocuments {
    const manifest = readManifest(url);
    if (!manifest && mode === 'only') {
      throw new Error(`TRUSTED_DOCUMENTS=only needs the manifest ${fileURLToPath(url)} (npm run codegen writes it)`);
    }
    return new TrustedDocuments(mode, manifest ?? { byHash: new Map(), texts: new Set() });
  }

  get size(): number {
    return this.manifest.byHash.size;
  }

  /** The document of a hash, "sha256:<hex>" or bare hex. */
  document(hash: string): string | undefined {
    return this.manifest.byHash.get(bareHash(hash));
  }

  /** A document's text is trusted when it is exactly one of the manifest's. */
  isTrusted(source: string): boolean {
    return this.manifest.texts.has(source);
  }

  /**
   * Apollo Server's APQ store (its `persistedQueries.cache`): the manifest
   * first, then, with `allow` only, what clients registered (query + hash),
   * bounded as Apollo's default store is. With `only` nothing is registered.
   */
  apqCache(): KeyValueCache {
    const registered = this.mode === 'allow' ? new LRUCache<string, string>({ maxSize: 8 * 1024 * 1024, sizeCalculation: (query) => query.length || 1 }) : null;
    // Apollo prefixes its keys ("apq:<hash>").
    const hashOf = (key: string) => key.slice(key.indexOf(':') + 1);
    return {
      get: async (key) => this.document(hashOf(key)) ?? registered?.get(key),
      set: async (key, value) => void registered?.set(key, value),
      delete: async (key) => registered?.delete(key) ?? false,
    };
  }

  /**
   * An HTTP request as Apollo Server should see it (the handler calls this
   * before Apollo): documentId becomes the APQ extension, so Apollo's
   * persisted-query path answers both forms from `apqCache()`. With `only`,
   * a manifest hash wins over any text sent with it, and a text that is not
   * the manifest's is refused here, before Apollo parses anything. (Apollo's
   * plugin hooks before parsing cannot answer a client error, only a 500.)
   */
  httpRequest(body: unknown, search: string): { body: unknown; search: string } | { refused: GraphQLError } {
    if (isRecord(body)) {
      const next = this.resolve(body);
      return next instanceof GraphQLError ? { refused: next } : { body: next, search };
    }
    // GET: the same fields as search parameters, read only where they can matter.
    if (search === '' || (this.mode === 'allow' && !search.includes('documentId='))) return { body, search };
    const params = new URLSearchParams(search);
    let extensions: unknown;
    try {
      extensions = JSON.parse(params.get('extensions') ?? 'null') ?? undefined;
    } catch {
      return { body, search }; // Apollo answers a malformed `extensions` parameter itself
    }
    const request = { query: params.get('query') ?? undefined, documentId: params.get('documentId') ?? undefined, extensions };
    const next = this.resolve(request);
    if (next instanceof GraphQLError) return { refused: next };
    if (next === request) return { body, search };
    for (const key of ['query', 'documentId', 'extensions']) params.delete(key);
    if (typeof next.query === 'string') params.set('query', next.query);
    if (next.extensions !== undefined) params.set('extensions', JSON.stringify(next.extensions));
    return { body, search: `?${params}` };
  }

  /** documentId as the APQ extension; with `only`, nothing left to run but a manifest document. */
  private resolve(request: Record<string, unknown>): Record<string, unknown> | GraphQLError {
    let next = request;
    if (typeof request.documentId === 'string') {
      const { documentId, extensions, ...rest } = request;
      next = { ...rest, extensions: { ...(isRecord(extensions) ? extensions : {}), persistedQuery: { version: 1, sha256Hash: bareHash(documentId) } } };
    }
    if (this.mode === 'allow') return next;
    const hash = requestedHash({ extensions: isRecord(next.extensions) ? next.extensions : undefined });
    if (hash !== undefined && this.document(hash) !== undefined) {
      if (next.query === undefined) return next;
      // The manifest's document runs, whatever text came with its hash.
      const { query: _text, ...hashOnly } = next;
      return hashOnly;
    }
    if (typeof next.query === 'string' && next.query !== '' && !this.isTrusted(next.query)) return trustedDocumentRequired();
    return next;
  }

  /** The document a graphql-ws subscribe payload names, or why it is refused. */
  subscribeDocument(payload: { query: string; extensions?: Record<string, unknown> | null; documentId?: unknown }): string | GraphQLError {
    const hash = requestedHash(payload);
    if (hash !== undefined) {
      const document = this.document(hash);
      if (document !== undefined) return document;
      // allow: an unknown hash with the text runs the text (as APQ registers it over HTTP).
      if (this.mode === 'only' || payload.query === '') return persistedQueryNotFound();
    }
    if (this.mode === 'only' && !this.isTrusted(payload.query)) return trustedDocumentRequired();
    return payload.query;
  }
}

/** documentId, else extensions.persistedQuery.sha256Hash, when a string. */
function requestedHash(request: { extensions?: Record<string, unknown> | null; documentId?: unknown }): string | undefined {
  if (typeof request.documentId === 'string') return request.documentId;
  const persisted = request.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined;
  return typeof persisted?.sha256Hash === 'string' ? persisted.sha256Hash : undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
