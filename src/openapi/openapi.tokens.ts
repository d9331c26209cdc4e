import type { OpenApiInfo } from './openapi.document';

/** What `OpenApiModule.forRoot` is given. */
export interface OpenApiModuleOptions {
  /** Serve the document and the docs page; false registers no route at all (404). */
  readonly enabled: boolean;
  /** Paths left out of the document (the admin API while it is off). @default none */
  readonly hidden?: (path: string) => boolean;
  /** @default the package's name and version */
  readonly info?: OpenApiInfo;
}

/** DI token of {@link OpenApiModuleOptions}. */
export const OPENAPI_OPTIONS = Symbol('OPENAPI_OPTIONS');
