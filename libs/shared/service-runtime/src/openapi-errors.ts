import { type INestApplication, RequestMethod } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';

/** The body of every error answer (EasgateExceptionFilter, ApiTokenGuard): `{ code, message }`. */
export const ERROR_SCHEMA_NAME = 'Error';

const errorSchema = {
  type: 'object',
  required: ['code', 'message'],
  properties: {
    code: { type: 'string', description: "The service's error code (e.g. CERTIFICATE_NOT_FOUND)" },
    message: {
      oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
      description: 'A plain explanation (never a secret)',
    },
  },
};

const SUCCESS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/**
 * The success status of each handler, by OpenAPI operation id (`<Controller>_<method>`): its
 * `@HttpCode`, else Nest's default (201 for POST, 200 otherwise). @nestjs/swagger documents that default
 * only when a handler declares no `@ApiResponse` at all, so one documented error would hide the success.
 */
export function successStatuses(app: INestApplication): Map<string, number> {
  const statuses = new Map<string, number>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const type = wrapper.metatype as (new (...args: never[]) => unknown) | undefined;
      if (!type?.prototype) continue;
      const prototype = type.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        const code = Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined;
        statuses.set(`${type.name}_${name}`, code ?? (method === RequestMethod.POST ? 201 : 200));
      }
    }
  }
  return statuses;
}

/**
 * Completes a service's OpenAPI document with what the runtime itself guarantees: every operation
 * documents its success answer (see {@link successStatuses}), every operation behind the API token (it
 * declares the bearer security) may answer 401, and every error answer carries the `Error` body.
 * Operation-specific errors (400, 404, 409, …) stay on the controllers.
 */
export function documentRuntimeErrors(
  document: OpenAPIObject,
  success: ReadonlyMap<string, number> = new Map(),
): OpenAPIObject {
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, [ERROR_SCHEMA_NAME]: errorSchema },
  };
  const errorContent = {
    'application/json': { schema: { $ref: `#/components/schemas/${ERROR_SCHEMA_NAME}` } },
  };
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const responses = (operation.responses ??= {}) as Record<
        string,
        { description: string; content?: unknown }
      >;
      const status = operation.operationId !== undefined ? success.get(operation.operationId) : undefined;
      if (status !== undefined && !Object.keys(responses).some((code) => /^[23]\d\d$/.test(code)))
        responses[String(status)] = { description: SUCCESS_TEXT[status] ?? 'Success' };
      if (operation.security?.some((requirement) => 'bearer' in requirement))
        responses['401'] ??= { description: 'UNAUTHENTICATED: missing or wrong API token' };
      for (const [status, response] of Object.entries(responses))
        if (/^[45]\d\d$/.test(status) && response.content === undefined) response.content = errorContent;
    }
  }
  return document;
}
