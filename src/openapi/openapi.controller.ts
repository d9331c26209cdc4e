import { Controller, Get, Header, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { ApiRoute, ZodValidationPipe } from '../http';
import { Criticality } from '../overload';
import { DOCS_ASSET_NAMES, DOCS_PAGE, loadDocsAssets } from './docs-page.assets';
import { OpenApiDocumentService } from './openapi.service';

const assetName = z.enum(DOCS_ASSET_NAMES, { error: `must be one of ${DOCS_ASSET_NAMES.join(', ')}` });

/**
 * `GET /openapi.json` (the document) and `GET /docs` (Swagger UI over it, from `swagger-ui-dist`'s
 * files, read at boot). Ordinary routes, not on the L1 fast path; sheddable under overload.
 */
@Criticality('sheddable')
@Controller()
export class OpenApiController {
  private readonly assets = loadDocsAssets();

  constructor(private readonly openapi: OpenApiDocumentService) {}

  @Get('openapi.json')
  @Header('content-type', 'application/json; charset=utf-8')
  @Header('cache-control', 'no-cache')
  @ApiRoute({ summary: 'This OpenAPI 3.1 document', tags: ['docs'], response: z.record(z.string(), z.unknown()) })
  document(): Buffer {
    return this.openapi.json;
  }

  @Get('docs')
  @Header('content-type', 'text/html; charset=utf-8')
  @ApiRoute({ summary: 'The docs page (Swagger UI over /openapi.json)', tags: ['docs'], response: { schema: z.string(), contentType: 'text/html' } })
  page(): Buffer {
    return DOCS_PAGE;
  }

  @Get('docs/:file')
  @ApiRoute({
    summary: "A file of the docs page (swagger-ui-dist's, served from this server)",
    tags: ['docs'],
    response: { description: 'The file: CSS, JavaScript or an icon.', contentType: '*/*' },
  })
  asset(@Param('file', new ZodValidationPipe(assetName)) file: (typeof DOCS_ASSET_NAMES)[number], @Res({ passthrough: true }) reply: FastifyReply): Buffer {
    const asset = this.assets.get(file)!;
    void reply.type(asset.contentType).header('cache-control', 'public, max-age=3600');
    return asset.body;
  }
}
