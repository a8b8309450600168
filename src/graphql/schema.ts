// Schema first: the SDL in schema.graphql plus the resolvers of each domain.
import { readFileSync } from 'node:fs';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { DateTimeResolver } from 'graphql-scalars';
import type { GraphQLSchema } from 'graphql';
import { authResolvers } from '../auth/resolvers.js';
import { messageResolvers } from '../messages/resolvers.js';
import { userResolvers } from '../users/resolvers.js';
import { conversationResolvers } from '../conversations/resolvers.js';

export const schemaPath = new URL('../../schema.graphql', import.meta.url);

export function createSchema(): GraphQLSchema {
  return makeExecutableSchema({
    typeDefs: readFileSync(schemaPath, 'utf8'),
    resolvers: [{ DateTime: DateTimeResolver }, authResolvers, userResolvers, messageResolvers, conversationResolvers],
  });
}
