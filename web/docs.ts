/**
 * /docs: Swagger UI on /openapi.json, its scripts and styles served by the arena from the
 * swagger-ui-dist package (assets.ts): it works offline.
 */
import { Hono } from 'hono';
import { html } from 'hono/html';
import { pageHeaders } from './headers';

export function docsRoutes(): Hono {
  const routes = new Hono();
  routes.get('/', (c) => {
    // The same strict policy as the other pages: Swagger UI's bundle needs neither eval nor inline code.
    pageHeaders(c);
    return c.html(
      html`<!doctype html>
        <html lang="en">
          <head>
            <meta charset="utf-8" />
            <meta name="viewport" content="width=device-width, initial-scale=1" />
            <title>Agent Arena API</title>
            <link rel="icon" href="data:," />
            <link rel="stylesheet" href="/assets/swagger-ui.css" />
            <script defer src="/assets/swagger-ui-bundle.js"></script>
            <script defer src="/assets/docs-page.js"></script>
          </head>
          <body>
            <div id="swagger-ui"></div>
            <noscript>The API reference needs JavaScript; the document itself is at <a href="/openapi.json">/openapi.json</a>.</noscript>
          </body>
        </html>`,
    );
  });
  return routes;
}
