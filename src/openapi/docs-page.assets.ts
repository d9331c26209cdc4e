import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** One file of the docs page, read into memory at boot. */
export interface DocsAsset {
  readonly contentType: string;
  readonly body: Buffer;
}

/** The files of `swagger-ui-dist` the page loads, by the name it loads them as. */
const PACKAGE_FILES: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

/** Names `GET /docs/:file` serves; anything else is a 400 (the parameter's enum), so no path is ever built from a request. */
export const DOCS_ASSET_NAMES = [...Object.keys(PACKAGE_FILES), 'init.js'] as const;

/** The page itself: Swagger UI over `/openapi.json`, every file from this server (no CDN). */
export const DOCS_PAGE = Buffer.from(`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>API docs</title>
    <link rel="stylesheet" href="/docs/swagger-ui.css" />
    <link rel="icon" type="image/png" href="/docs/favicon-32x32.png" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/swagger-ui-bundle.js"></script>
    <script src="/docs/swagger-ui-standalone-preset.js"></script>
    <script src="/docs/init.js"></script>
  </body>
</html>
`);

// A file of its own rather than an inline script: the page works under a CSP without 'unsafe-inline'.
const INIT_SCRIPT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
});
`;

/** Reads the page's files from the installed `swagger-ui-dist` (once, at boot). */
export function loadDocsAssets(): ReadonlyMap<string, DocsAsset> {
  const root = dirname(require.resolve('swagger-ui-dist/package.json'));
  const assets = new Map<string, DocsAsset>();
  for (const [name, contentType] of Object.entries(PACKAGE_FILES)) assets.set(name, { contentType, body: readFileSync(join(root, name)) });
  assets.set('init.js', { contentType: 'text/javascript; charset=utf-8', body: Buffer.from(INIT_SCRIPT) });
  return assets;
}
