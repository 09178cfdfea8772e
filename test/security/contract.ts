import { randomUUID } from "node:crypto";
import type { App } from "../../src/server/app.js";

/**
 * The attack suites read the routes from the app's own OpenAPI document, so a route added later is
 * attacked without anyone listing it here. Only the parts of JSON Schema our routes use are handled.
 */
export type Schema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  minProperties?: number;
  default?: unknown;
};

interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: Schema;
}

interface OperationObject {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
  security?: unknown[];
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components?: { schemas?: Record<string, Schema> };
}

export interface Operation {
  method: string;
  /** The templated path, e.g. /api/{user_id}/tasks/{task_id}. */
  path: string;
  name: string;
  parameters: Parameter[];
  bodySchema?: Schema;
  bodyRequired: boolean;
  /** Declared statuses, as strings ("200", "401", ...). */
  statuses: string[];
  responses: Record<string, Schema | undefined>;
}

const METHODS = ["get", "post", "put", "patch", "delete"];

export async function loadOpenApi(app: App): Promise<OpenApiDocument> {
  const response = await app.inject({ method: "GET", url: "/openapi.json" });
  if (response.statusCode !== 200) throw new Error(`/openapi.json answered ${response.statusCode}`);
  return response.json<OpenApiDocument>();
}

export function resolve(doc: OpenApiDocument, schema: Schema | undefined): Schema | undefined {
  let current = schema;
  for (let depth = 0; current?.$ref && depth < 10; depth += 1) {
    const name = current.$ref.replace(/^#\/components\/schemas\//, "");
    current = doc.components?.schemas?.[name];
  }
  return current;
}

/** Every documented operation under a path prefix (default: a user's own resources). */
export function operationsOf(doc: OpenApiDocument, prefix = "/api/{user_id}/"): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!path.startsWith(prefix)) continue;
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const content = operation.requestBody?.content?.["application/json"];
      const responses: Record<string, Schema | undefined> = {};
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        responses[status] = resolve(doc, response.content?.["application/json"]?.schema);
      }
      operations.push({
        method: method.toUpperCase(),
        path,
        name: `${method.toUpperCase()} ${path}`,
        parameters: operation.parameters ?? [],
        bodySchema: resolve(doc, content?.schema),
        bodyRequired: operation.requestBody?.required ?? false,
        statuses: Object.keys(operation.responses ?? {}),
        responses,
      });
    }
  }
  return operations;
}

const pathParameterNames = (operation: Operation) => [...operation.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);

/** Path parameters other than user_id name an object the user owns (a task). */
export const objectParameters = (operation: Operation) => pathParameterNames(operation).filter((name) => name !== "user_id");

export interface Fill {
  /** What any uuid in the request (path, body, query) names: the object under attack. */
  uuid: () => string;
}

const defaultFill: Fill = { uuid: randomUUID };

function typesOf(schema: Schema): string[] {
  return [schema.type ?? []].flat();
}

/** The smallest valid value of a schema: required fields only, the shortest strings, the first enum value. */
export function minimalValue(doc: OpenApiDocument, raw: Schema | undefined, fill: Fill = defaultFill): unknown {
  const schema = resolve(doc, raw) ?? {};
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) {
    const branch = branches.find((candidate) => !typesOf(resolve(doc, candidate) ?? {}).includes("null")) ?? branches[0];
    return minimalValue(doc, branch, fill);
  }
  if (schema.allOf) return Object.assign({}, ...schema.allOf.map((part) => minimalValue(doc, part, fill)));
  const type = typesOf(schema).find((candidate) => candidate !== "null") ?? (schema.properties ? "object" : "null");
  switch (type) {
    case "object": {
      const properties = schema.properties ?? {};
      const names = [...(schema.required ?? [])];
      // A body that must name at least one field (an update) gets its first optional ones.
      for (const name of Object.keys(properties)) {
        if (names.length >= (schema.minProperties ?? 0)) break;
        if (!names.includes(name)) names.push(name);
      }
      return Object.fromEntries(names.map((name) => [name, minimalValue(doc, properties[name], fill)]));
    }
    case "array":
      return Array.from({ length: Math.max(schema.minItems ?? 0, 1) }, () => minimalValue(doc, schema.items, fill));
    case "string":
      if (schema.format === "uuid") return fill.uuid();
      if (schema.format === "date-time") return new Date().toISOString();
      return "probe".padEnd(schema.minLength ?? 1, "e").slice(0, schema.maxLength ?? 5);
    case "integer":
    case "number":
      return schema.minimum ?? 1;
    case "boolean":
      return true;
    default:
      return null;
  }
}

export interface BuildRequest {
  /** The {user_id} in the path. */
  userId: string;
  /** The id put in every other path parameter and uuid field. */
  objectId: string;
  headers?: Record<string, string>;
}

/** A request with a minimal valid body and the operation's required query parameters and headers, ready for inject. */
export function requestFor(doc: OpenApiDocument, operation: Operation, { userId, objectId, headers = {} }: BuildRequest) {
  const fill: Fill = { uuid: () => objectId };
  const url = operation.path.replace(/\{(\w+)\}/g, (_match, name: string) =>
    encodeURIComponent(name === "user_id" ? userId : String(minimalValue(doc, parameterSchema(operation, name), fill))),
  );
  const requiredQuery = new URLSearchParams();
  for (const parameter of operation.parameters) {
    if (parameter.in === "query" && parameter.required) requiredQuery.set(parameter.name, String(minimalValue(doc, parameter.schema, fill)));
  }
  const requiredHeaders: Record<string, string> = {};
  for (const parameter of operation.parameters) {
    if (parameter.in !== "header" || !parameter.required) continue;
    // "*" is If-Match's "any current version": the precondition never hides the answer under test.
    requiredHeaders[parameter.name.toLowerCase()] =
      parameter.name.toLowerCase() === "if-match" ? "*" : String(minimalValue(doc, parameter.schema, { uuid: randomUUID }));
  }
  const body = operation.bodySchema ? minimalValue(doc, operation.bodySchema, fill) : undefined;
  return {
    method: operation.method as "GET",
    url: requiredQuery.size > 0 ? `${url}?${requiredQuery}` : url,
    headers: { ...requiredHeaders, ...headers },
    ...(body === undefined ? {} : { payload: body as object }),
  };
}

function parameterSchema(operation: Operation, name: string): Schema {
  return operation.parameters.find((parameter) => parameter.name === name)?.schema ?? { type: "string", format: "uuid" };
}

/**
 * Every key of a value that its schema does not list (a leak: a field the contract does not
 * promise), as JSON paths. An anyOf is satisfied by the branch with the fewest stray keys.
 */
export function unlistedKeys(doc: OpenApiDocument, raw: Schema | undefined, value: unknown, at = "$"): string[] {
  const schema = resolve(doc, raw);
  if (!schema || value === null || typeof value !== "object") return [];
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) {
    const candidates = branches.map((branch) => unlistedKeys(doc, branch, value, at));
    return candidates.reduce((best, next) => (next.length < best.length ? next : best));
  }
  if (Array.isArray(value)) return value.flatMap((item, index) => unlistedKeys(doc, schema.items, item, `${at}[${index}]`));
  const properties = schema.properties ?? {};
  return Object.entries(value).flatMap(([key, child]) =>
    key in properties || schema.additionalProperties === true ? unlistedKeys(doc, properties[key], child, `${at}.${key}`) : [`${at}.${key}`],
  );
}

/**
 * The fields of the resources the API returns (a task's id, user_id, ...): the properties of any
 * 2xx response's data that carries an id. Those a request schema does not accept are read-only.
 */
export function resourceFields(doc: OpenApiDocument, operations: Operation[]): Map<string, Schema> {
  const fields = new Map<string, Schema>();
  for (const operation of operations) {
    for (const [status, schema] of Object.entries(operation.responses)) {
      if (!status.startsWith("2")) continue;
      let data = resolve(doc, schema?.properties?.data);
      if (data?.type === "array") data = resolve(doc, data.items);
      const properties = data?.properties;
      if (!properties || !("id" in properties)) continue;
      for (const [name, field] of Object.entries(properties)) fields.set(name, field);
    }
  }
  return fields;
}
