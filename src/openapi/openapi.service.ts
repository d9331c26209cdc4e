import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOpenApiDocument, type OpenApiDocument, type OpenApiInfo } from './openapi.document';
import { OPENAPI_OPTIONS, type OpenApiModuleOptions } from './openapi.tokens';
import { RouteDiscovery } from './route-discovery';

/**
 * The app's OpenAPI document, built once when the app boots (every controller exists by then) and
 * kept as JSON bytes: `GET /openapi.json` writes them, nothing is computed per request.
 */
@Injectable()
export class OpenApiDocumentService implements OnApplicationBootstrap {
  private built?: { readonly document: OpenApiDocument; readonly json: Buffer };

  constructor(
    private readonly discovery: RouteDiscovery,
    @Inject(OPENAPI_OPTIONS) private readonly options: OpenApiModuleOptions,
  ) {}

  onApplicationBootstrap(): void {
    this.build();
  }

  /** The document as data. */
  get document(): OpenApiDocument {
    return this.build().document;
  }

  /** The document as the bytes `GET /openapi.json` sends. */
  get json(): Buffer {
    return this.build().json;
  }

  private build(): { readonly document: OpenApiDocument; readonly json: Buffer } {
    if (this.built === undefined) {
      const hidden = this.options.hidden ?? (() => false);
      const routes = this.discovery.routes().filter((route) => !hidden(route.path));
      const document = buildOpenApiDocument(routes, this.options.info ?? packageInfo());
      this.built = { document, json: Buffer.from(JSON.stringify(document)) };
    }
    return this.built;
  }
}

/** Name and version from the project's package.json (beside `src/` and `dist/`). */
function packageInfo(): OpenApiInfo {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { name: string; version: string; description?: string };
  return { title: pkg.name, version: pkg.version, ...(pkg.description === undefined ? {} : { description: pkg.description }) };
}
