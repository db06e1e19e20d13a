/**
 * The OpenAPI transforms of the app: fastify-type-provider-zod's, and the request bodies a route
 * may go without marked so. `@fastify/swagger` marks every body `required` (Fastify needs one when
 * a route declares a JSON schema for it), but a route's zod schema may accept none: cancelling an
 * execution or starting one without input takes no body, and a client generated from the document
 * had to send `{}`.
 * @module
 */
import type { SwaggerTransform, SwaggerTransformObject } from '@fastify/swagger';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import type { z } from 'zod';

/** `POST /v1/executions/{id}/cancel`: an operation as the document keys it. */
function operationKey(method: string, url: string): string {
  return `${method.toLowerCase()} ${url.replace(/:(\w+)/g, '{$1}')}`;
}

/** Whether a route's body schema (zod, or another kind) accepts a request without a body. */
function acceptsNoBody(body: unknown): boolean {
  const schema = body as Partial<Pick<z.ZodType, 'safeParse'>> | undefined;
  return typeof schema?.safeParse === 'function' && schema.safeParse(undefined).success;
}

/** Both transforms for `@fastify/swagger`, sharing which operations take an optional body. */
export function openapiTransforms(): {
  transform: SwaggerTransform;
  transformObject: SwaggerTransformObject;
} {
  const optional = new Set<string>();
  const transform: SwaggerTransform = (input) => {
    const { route, schema, url } = input;
    if (schema?.body !== undefined && acceptsNoBody(schema.body)) {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) optional.add(operationKey(method, url));
    }
    return jsonSchemaTransform(input as Parameters<typeof jsonSchemaTransform>[0]);
  };
  const transformObject: SwaggerTransformObject = (input) => {
    const doc = jsonSchemaTransformObject(input) as {
      paths?: Record<string, Record<string, { requestBody?: { required?: boolean } }>>;
    };
    for (const [path, operations] of Object.entries(doc.paths ?? {})) {
      for (const [method, operation] of Object.entries(operations)) {
        if (operation.requestBody && optional.has(`${method} ${path}`))
          operation.requestBody.required = false;
      }
    }
    return doc as ReturnType<SwaggerTransformObject>;
  };
  return { transform, transformObject };
}
