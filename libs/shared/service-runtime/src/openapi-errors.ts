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

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/**
 * Completes a service's OpenAPI document with what the runtime itself guarantees: every operation
 * behind the API token (it declares the bearer security) may answer 401, and every error answer
 * carries the `Error` body. Operation-specific errors (400, 404, 409, …) stay on the controllers.
 */
export function documentRuntimeErrors(document: OpenAPIObject): OpenAPIObject {
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
      if (operation.security?.some((requirement) => 'bearer' in requirement))
        responses['401'] ??= { description: 'UNAUTHENTICATED: missing or wrong API token' };
      for (const [status, response] of Object.entries(responses))
        if (/^[45]\d\d$/.test(status) && response.content === undefined) response.content = errorContent;
    }
  }
  return document;
}
