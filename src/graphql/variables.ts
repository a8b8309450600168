// Variable coercion with bounded errors, run before execution on both
// transports. graphql-js's own coercion quotes the whole offending value in
// every error (an object with thousands of unknown fields is printed once per
// field, 50 times: an 89 kB request answered with 5.1 MB) and its 51st error
// surfaces as an internal error. Here every message quotes a short excerpt,
// coercion stops at the first few problems, and the answer is one
// BAD_USER_INPUT error. Execution then coerces the same values again and
// finds nothing to report.
import {
  GraphQLError,
  coerceInputValue,
  isInputType,
  isNonNullType,
  print,
  typeFromAST,
  valueFromAST,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { ErrorCode, boundMessage, excerpt } from '../errors.js';

/** Problems collected before coercion stops. */
const MAX_PROBLEMS = 5;
class TooManyProblems extends Error {}

export type CoercedVariables = { ok: true; values: Record<string, unknown> } | { ok: false; error: GraphQLError };

export function coerceVariables(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  inputs: Record<string, unknown> | null | undefined,
): CoercedVariables {
  const provided = inputs ?? {};
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  let total = 0;
  const report = (message: string) => {
    total += 1;
    if (problems.length < MAX_PROBLEMS) problems.push(boundMessage(message, 300));
    else throw new TooManyProblems();
  };

  try {
    for (const definition of operation.variableDefinitions ?? []) {
      const name = definition.variable.name.value;
      const type = typeFromAST(schema, definition.type);
      if (!type || !isInputType(type)) {
        report(`Variable "$${name}" has a type that cannot be an input: "${print(definition.type)}".`);
        continue;
      }
      if (!Object.hasOwn(provided, name)) {
        if (definition.defaultValue) values[name] = valueFromAST(definition.defaultValue, type);
        else if (isNonNullType(type)) report(`Variable "$${name}" of required type "${type}" was not provided.`);
        continue;
      }
      const value = provided[name];
      if (value === null && isNonNullType(type)) {
        report(`Variable "$${name}" of non-null type "${type}" must not be null.`);
        continue;
      }
      values[name] = coerceInputValue(value, type, (path, invalid, error) => {
        const at = path.length > 0 ? ` at "${name}${path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${key}`)).join('')}"` : '';
        report(`Variable "$${name}" got invalid value ${excerpt(invalid)}${boundMessage(at, 120)}; ${boundMessage(error.message, 160)}`);
      });
    }
  } catch (error) {
    if (!(error instanceof TooManyProblems)) throw error;
  }

  if (total === 0) return { ok: true, values };
  const message = problems.join(' ') + (total > problems.length ? ' (further problems not shown)' : '');
  return {
    ok: false,
    error: new GraphQLError(message, { extensions: { code: ErrorCode.BAD_USER_INPUT } }),
  };
}
