import { Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { OpenApiController } from './openapi.controller';
import { OpenApiDocumentService } from './openapi.service';
import { OPENAPI_OPTIONS, type OpenApiModuleOptions } from './openapi.tokens';
import { RouteDiscovery } from './route-discovery';

/**
 * The OpenAPI 3.1 document of every route of the app (`GET /openapi.json`) and the docs page
 * (`GET /docs`), built once at boot from Nest's metadata, the routes' zod pipes and their
 * `@ApiRoute()` contracts. Disabled, it registers nothing: both paths are 404.
 */
@Module({})
export class OpenApiModule {
  static forRoot(options: OpenApiModuleOptions): DynamicModule {
    if (!options.enabled) return { module: OpenApiModule };
    return {
      module: OpenApiModule,
      imports: [DiscoveryModule],
      controllers: [OpenApiController],
      providers: [{ provide: OPENAPI_OPTIONS, useValue: options }, RouteDiscovery, OpenApiDocumentService],
      exports: [OpenApiDocumentService],
    };
  }
}
