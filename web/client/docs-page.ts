/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/** /docs: Swagger UI (from the swagger-ui-dist package, served by the arena) on the arena's OpenAPI document. */

declare const SwaggerUIBundle: (options: Record<string, unknown>) => unknown;

SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  // No call to the public validator: nothing leaves the host.
  validatorUrl: null,
});
