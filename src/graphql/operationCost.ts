// What an operation will cost and return, computed with the operation's real
// variable values and the schema's argument defaults. (graphql-armor's cost
// rule runs at validation, before variables are known, so `first: $n` counted
// as 1 there: a 716-byte query could ask for a 287 MB answer.)
//
// The cost model is graphql-armor's, so the documented figures still hold:
// a leaf costs 1; an object costs 2 plus 1.5 x each child; a field with a
// `first` argument multiplies its whole subtree by the page size. `nodes` is
// a hard bound on the list items one response may hold: the page sizes along
// each path, multiplied, summed over every paginated field.
import {
  Kind,
  getNamedType,
  isObjectType,
  isInterfaceType,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

const SCALAR_COST = 1;
const OBJECT_COST = 2;
const DEPTH_COST_FACTOR = 1.5;
const PAGE_SIZE_ARGUMENTS = new Set(['first', 'last']);

export interface OperationEstimate {
  cost: number;
  nodes: number;
}

export interface EstimateOptions {
  /** Larger page sizes are refused by the resolvers before any work: count them as this. */
  maxPageSize: number;
}

export function estimateOperation(
  schema: GraphQLSchema,
  fragments: Map<string, FragmentDefinitionNode>,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  options: EstimateOptions,
): OperationEstimate {
  let nodes = 0;

  const pageSize = (field: GraphQLField<unknown, unknown> | undefined, args: readonly { name: { value: string }; value: ValueNode }[]) => {
    for (const definition of field?.args ?? []) {
      if (!PAGE_SIZE_ARGUMENTS.has(definition.name)) continue;
      const given = args.find((arg) => arg.name.value === definition.name)?.value;
      let value: unknown = definition.defaultValue;
      if (given?.kind === Kind.INT) value = Number.parseInt(given.value, 10);
      else if (given?.kind === Kind.VARIABLE) value = variables[given.name.value] ?? definition.defaultValue;
      else if (given?.kind === Kind.NULL) value = definition.defaultValue;
      if (typeof value !== 'number' || !Number.isFinite(value)) return 1;
      return Math.min(Math.max(value, 0), options.maxPageSize);
    }
    return null;
  };

  const walk = (selectionSet: SelectionSetNode, parentType: GraphQLNamedType | undefined, outerItems: number, seen: Set<string>): number => {
    let cost = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name === '__schema' || name === '__type') continue; // introspection is switched on or off as a whole
        const field = isObjectType(parentType) || isInterfaceType(parentType) ? parentType.getFields()[name] : undefined;
        if (!selection.selectionSet) {
          cost += SCALAR_COST;
          continue;
        }
        const size = pageSize(field, selection.arguments ?? []);
        const items = outerItems * (size ?? 1);
        if (size !== null) nodes += items;
        const childType = field ? getNamedType(field.type) : undefined;
        cost += (OBJECT_COST + DEPTH_COST_FACTOR * walk(selection.selectionSet, childType, items, seen)) * (size ?? 1);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) ?? undefined : parentType;
        cost += walk(selection.selectionSet, type, outerItems, seen);
      } else {
        const fragment = fragments.get(selection.name.value);
        // Validation refuses fragment cycles; `seen` only guards this walk.
        if (!fragment || seen.has(fragment.name.value)) continue;
        const type = schema.getType(fragment.typeCondition.name.value) ?? undefined;
        cost += walk(fragment.selectionSet, type, outerItems, new Set([...seen, fragment.name.value]));
      }
    }
    return cost;
  };

  const root = schema.getRootType(operation.operation) ?? undefined;
  const cost = walk(operation.selectionSet, root, 1, new Set());
  return { cost: Math.round(cost), nodes };
}

export function fragmentsOf(document: { definitions: readonly { kind: string }[] }): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      const fragment = definition as FragmentDefinitionNode;
      fragments.set(fragment.name.value, fragment);
    }
  }
  return fragments;
}
