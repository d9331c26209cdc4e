import { Injectable, RequestMethod, type PipeTransform, type Type } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { DiscoveryService, MetadataScanner, ModuleRef } from '@nestjs/core';
import type { z } from 'zod';
import { joinPaths, routeContractParts, ZodValidationPipe, type RouteContract } from '../http';

/** Where a request value comes from. */
export type ArgumentSource = 'path' | 'query' | 'header' | 'body';

/** One validated (or plainly read) request value of a route: `@Param('id', pipe)`, `@Query(pipe)`, `@Body(pipe)`. */
export interface RouteArgument {
  readonly in: ArgumentSource;
  /** The parameter or header name; undefined for the whole query or the whole body. */
  readonly name?: string;
  /** The schema of its `ZodValidationPipe`; undefined when no such pipe reads it. */
  readonly schema?: z.ZodType;
}

/** A route as Nest registered it, with what its metadata and pipes say. */
export interface DiscoveredRoute {
  /** Lower case: `get`, `post`. */
  readonly method: string;
  /** Nest's pattern: `/products/:id`. */
  readonly path: string;
  /** `CatalogController.get`: the operation id. */
  readonly name: string;
  /** The success status: `@HttpCode()`, else Nest's default (201 for POST, else 200). */
  readonly status: number;
  readonly arguments: readonly RouteArgument[];
  /** Every {@link RouteContract} part: controller first, then handler. */
  readonly contract: readonly RouteContract[];
}

const METHODS: Partial<Record<RequestMethod, string>> = {
  [RequestMethod.GET]: 'get',
  [RequestMethod.POST]: 'post',
  [RequestMethod.PUT]: 'put',
  [RequestMethod.DELETE]: 'delete',
  [RequestMethod.PATCH]: 'patch',
  [RequestMethod.OPTIONS]: 'options',
  [RequestMethod.HEAD]: 'head',
};

const SOURCES: Partial<Record<RouteParamtypes, ArgumentSource>> = {
  [RouteParamtypes.PARAM]: 'path',
  [RouteParamtypes.QUERY]: 'query',
  [RouteParamtypes.HEADERS]: 'header',
  [RouteParamtypes.BODY]: 'body',
};

interface RouteArgMetadata {
  readonly index: number;
  readonly data?: unknown;
  readonly pipes?: ReadonlyArray<PipeTransform | Type<PipeTransform>>;
}

/**
 * Lists every controller route of the app from Nest's metadata (the same metadata Nest routes by),
 * with the schemas of the `ZodValidationPipe`s on its arguments: a pipe given as a class
 * (`@Query(ProductQueryPipe)`) is the instance the container built. Read once, at boot.
 */
@Injectable()
export class RouteDiscovery {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly moduleRef: ModuleRef,
  ) {}

  routes(): DiscoveredRoute[] {
    const routes: DiscoveredRoute[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const { metatype, instance } = wrapper as { metatype?: Type; instance?: object };
      if (!metatype || !instance) continue;
      const prototype = Object.getPrototypeOf(instance) as Record<string, unknown>;
      const controllerPath = Reflect.getMetadata(PATH_METADATA, metatype) as string | string[] | undefined;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name] as object;
        const requestMethod = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        const method = requestMethod === undefined ? undefined : METHODS[requestMethod];
        if (method === undefined) continue;
        const httpCode = Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined;
        routes.push({
          method,
          path: joinPaths(controllerPath, Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined),
          name: `${metatype.name}.${name}`,
          status: httpCode ?? (method === 'post' ? 201 : 200),
          arguments: this.argumentsOf((Reflect.getMetadata(ROUTE_ARGS_METADATA, metatype, name) ?? {}) as Record<string, RouteArgMetadata>),
          contract: routeContractParts(metatype, handler),
        });
      }
    }
    return routes;
  }

  private argumentsOf(metadata: Record<string, RouteArgMetadata>): RouteArgument[] {
    const found: RouteArgument[] = [];
    for (const [key, arg] of Object.entries(metadata)) {
      // Keys are `<RouteParamtypes>:<index>` (custom decorators have their own, longer keys).
      const source = SOURCES[Number(key.split(':')[0]) as RouteParamtypes];
      if (source === undefined || key.split(':').length !== 2) continue;
      const name = typeof arg.data === 'string' && arg.data !== '' ? arg.data : undefined;
      found.push({ in: source, name: source === 'header' ? name?.toLowerCase() : name, schema: this.schemaOf(arg.pipes ?? []) });
    }
    return found;
  }

  /** The schema of the first `ZodValidationPipe` among `pipes` (an instance, or a class the container built). */
  private schemaOf(pipes: ReadonlyArray<PipeTransform | Type<PipeTransform>>): z.ZodType | undefined {
    for (const pipe of pipes) {
      const instance: unknown = typeof pipe === 'function' ? this.moduleRef.get(pipe, { strict: false }) : pipe;
      if (instance instanceof ZodValidationPipe) return instance.schema as z.ZodType;
    }
    return undefined;
  }
}
