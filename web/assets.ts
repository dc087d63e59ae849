/**
 * /assets/*: everything the pages load, from this folder and from npm packages, served by the arena
 * itself (no CDN, no request leaves the host). The client islands (client/*.ts, with lightweight-charts)
 * are bundled by esbuild in memory the first time one is asked for: nothing to build by hand.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import { Hono } from 'hono';
import { etag } from 'hono/etag';

const CLIENT_ENTRIES = ['arena-page', 'agent-page', 'docs-page'] as const;
const SWAGGER_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

let bundles: Promise<Map<string, string>> | undefined;

/** The client islands, bundled once per process. */
function clientBundles(): Promise<Map<string, string>> {
  bundles ??= build({
    entryPoints: Object.fromEntries(CLIENT_ENTRIES.map((name) => [name, path.join(__dirname, 'client', `${name}.ts`)])),
    outdir: 'assets',
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    conditions: ['production'],
    logLevel: 'silent',
  }).then((result) => new Map(result.outputFiles.map((file) => [path.basename(file.path), file.text])));
  // A failed build is not kept: the next request tries again (and says why).
  bundles.catch(() => {
    bundles = undefined;
  });
  return bundles;
}

async function bundle(name: string): Promise<string> {
  const text = (await clientBundles()).get(name);
  if (text === undefined) throw new Error(`no client bundle ${name}`);
  return text;
}

/** Every asset by the name it is served under; nothing else is. */
const ASSETS: Record<string, { type: string; load(): Promise<string | Buffer> }> = {
  'arena.css': { type: CSS, load: () => readFile(path.join(__dirname, 'arena.css')) },
  ...Object.fromEntries(CLIENT_ENTRIES.map((name) => [`${name}.js`, { type: JS, load: () => bundle(`${name}.js`) }])),
  'swagger-ui.css': { type: CSS, load: () => readFile(path.join(SWAGGER_DIR, 'swagger-ui.css')) },
  'swagger-ui-bundle.js': { type: JS, load: () => readFile(path.join(SWAGGER_DIR, 'swagger-ui-bundle.js')) },
};

const loaded = new Map<string, Promise<string | Buffer>>();

export function assetRoutes(): Hono {
  const routes = new Hono();
  routes.use('*', etag());
  routes.get('/:name', async (c) => {
    const name = c.req.param('name');
    const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (!asset) return c.notFound();
    let body = loaded.get(name);
    if (!body) {
      body = asset.load();
      loaded.set(name, body);
      body.catch(() => loaded.delete(name));
    }
    const content = await body;
    return c.body(typeof content === 'string' ? content : new Uint8Array(content), 200, {
      'content-type': asset.type,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
  });
  return routes;
}
