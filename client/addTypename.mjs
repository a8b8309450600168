// codegen document transform (codegen.yml): adds __typename to every selection
// set before the client preset prints and hashes the documents. Apollo Client's
// and urql's caches add it to what they send anyway; with it already in the
// manifest, the document a client sends and the trusted one are the same, and
// the data an operation sent by hash returns is what those caches expect.
import { addTypenameSelectionDocumentTransform } from '@graphql-codegen/client-preset';

export const { transform } = addTypenameSelectionDocumentTransform;
