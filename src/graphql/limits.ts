// Limits on the shape of an operation, checked before anything executes, the
// same on HTTP and WebSocket. Defaults leave every query in README.md and the
// tests well inside; each is set by an env variable (see SECURITY.md).
import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  GraphQLError,
  Kind,
  NoSchemaIntrospectionCustomRule,
  specifiedRules,
  type ASTVisitor,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type FragmentDefinitionNode,
  type ParseOptions,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { Config } from '../config.js';
import { ErrorCode } from '../errors.js';
import { MAX_PAGE_SIZE } from '../pagination.js';
import { estimateOperation, fragmentsOf } from './operationCost.js';
import { coerceVariables } from './variables.js';

export type OperationLimits = Config['operationLimits'];

/** Mutations that each cost a bcrypt hash or a token rotation: once per operation. */
export const EXPENSIVE_FIELDS = new Set(['login', 'register', 'refreshToken']);

export type Limits = ReturnType<typeof operationLimits>;

/**
 * The limits for one server, built once at start: Apollo plugins (HTTP),
 * validation rules and parse options (both transports).
 */
export function operationLimits(limits: OperationLimits) {
  const protection = new ApolloArmor({
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true },
    maxAliases: { n: limits.maxAliases },
    maxDirectives: { n: limits.maxDirectives },
    // Cost needs the variables' values: checkOperation below, after validation.
    costLimit: { enabled: false },
    // Tokens are counted by graphql-js's own parser (parseOptions below), once.
    maxTokens: { enabled: false },
    // "Did you mean ...?" is hidden in production by the error formatting of
    // each transport (hideSuggestions): armor's plugin rewrites error
    // messages in place, which graphql-jit's errors do not allow.
    blockFieldSuggestion: { enabled: false },
  }).protect();
  return {
    plugins: protection.plugins,
    rules: [...protection.validationRules, expensiveFieldsRule(limits.maxExpensiveFields)],
    /** graphql-js stops parsing, early, at this many tokens. */
    parseOptions: { maxTokens: limits.maxTokens } satisfies ParseOptions,
    /**
     * After validation, before execution (both transports): the variables
     * coerce (bounded errors), and with their values the operation stays under
     * the cost and node limits. Returns the refusal, or the coerced variables.
     */
    checkOperation(
      schema: GraphQLSchema,
      document: DocumentNode,
      operation: OperationDefinitionNode,
      variables: Record<string, unknown> | null | undefined,
    ): GraphQLError | null {
      const coerced = coerceVariables(schema, operation, variables);
      if (!coerced.ok) return coerced.error;
      const { cost, nodes } = estimateOperation(schema, fragmentsOf(document), operation, coerced.values, { maxPageSize: MAX_PAGE_SIZE });
      if (cost > limits.maxCost) return refusal(`Query Cost limit of ${limits.maxCost} exceeded, found ${cost}.`);
      if (nodes > limits.maxNodes) {
        return refusal(`Operation may return ${nodes} list items, over the limit of ${limits.maxNodes}: ask for smaller pages.`);
      }
      return null;
    },
  };
}

const refusal = (message: string) =>
  new GraphQLError(message, { extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED } });

/** Every rule for a transport that validates by itself (WebSocket); Apollo adds the rest for HTTP. */
export function allValidationRules(limits: Limits, introspection: boolean): ValidationRule[] {
  return [...specifiedRules, ...limits.rules, ...(introspection ? [] : [NoSchemaIntrospectionCustomRule])];
}

/**
 * `login`, `register` and `refreshToken` at most `max` times per operation
 * (default once): 100 aliased logins in one document are refused before a
 * single bcrypt hash. Counted by response key, through fragments.
 */
export const expensiveFieldsRule = (max: number): ValidationRule => (context: ValidationContext): ASTVisitor => {
  return {
    OperationDefinition(operation) {
      const keys = new Set<string>();
      const visited = new Set<string>();
      const collect = (selectionSet: SelectionSetNode) => {
        for (const selection of selectionSet.selections) {
          if (selection.kind === Kind.FIELD) {
            if (EXPENSIVE_FIELDS.has(selection.name.value)) keys.add(selection.alias?.value ?? selection.name.value);
          } else if (selection.kind === Kind.INLINE_FRAGMENT) {
            collect(selection.selectionSet);
          } else if (!visited.has(selection.name.value)) {
            visited.add(selection.name.value);
            const fragment: FragmentDefinitionNode | null | undefined = context.getFragment(selection.name.value);
            if (fragment) collect(fragment.selectionSet);
          }
        }
      };
      collect(operation.selectionSet);
      if (keys.size > max) {
        context.reportError(
          new GraphQLError(`At most ${max === 1 ? 'one' : max} of ${[...EXPENSIVE_FIELDS].join(', ')} per operation`, {
            nodes: [operation],
            extensions: { code: ErrorCode.BAD_USER_INPUT },
          }),
        );
      }
    },
  };
};
