/** The OpenAPI document (`GET /openapi.json`) and the docs page (`GET /docs`). */
export { buildOpenApiDocument } from './openapi.document';
export type { OpenApiDocument, OpenApiInfo } from './openapi.document';
export { openapiConfig, openapiEnabled } from './openapi.config';
export type { OpenApiConfig } from './openapi.config';
export { OpenApiModule } from './openapi.module';
export type { OpenApiModuleOptions } from './openapi.tokens';
export { OpenApiDocumentService } from './openapi.service';
export { RouteDiscovery } from './route-discovery';
