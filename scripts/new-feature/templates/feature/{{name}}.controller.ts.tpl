// #if writeBehind
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
// #else
import { Controller, Get, Param, Query } from '@nestjs/common';
// #endif
import { Cached } from '../../cache';
// #if degradable
import { Degradable } from '../../degradation';
// #endif
import { ApiRoute, ZodValidationPipe, type ProblemSpec } from '../../http';
// #if degradable
import { {{NAME}}_FEATURE } from './{{name}}.constants';
import { {{Name}}Fallback } from './{{name}}.fallback';
// #endif
import { {{Name}}Service } from './{{name}}.service';
import { {{THING}}_CACHE, {{thingCamel}}KeyFromParams } from './{{thing}}.cache';
// #if writeBehind
import { {{thingCamel}}BodySchema, {{thingCamel}}IdSchema, type {{Thing}}Body, type {{Thing}}PageQuery } from './{{thing}}.dto';
// #else
import { {{thingCamel}}IdSchema, type {{Thing}}PageQuery } from './{{thing}}.dto';
// #endif
import { {{Thing}}PageQueryPipe } from './{{thing}}-page-query.pipe';
import { {{thingCamel}}PageSchema, {{thingCamel}}Schema, type {{Thing}}, type {{Thing}}Page } from './{{thing}}.types';

const {{thingCamel}}Id = new ZodValidationPipe({{thingCamel}}IdSchema);

// The contract pieces the routes share (the OpenAPI document).
const NOT_FOUND: ProblemSpec = { status: 404, code: 'E_NOT_FOUND', when: 'no {{thing}} has this id' };
// #if writeBehind
const NOT_QUEUED: ProblemSpec = { status: 503, code: 'E_DEPENDENCY_UNAVAILABLE', when: 'the write could not be queued; nothing was kept' };
const {{thingCamel}}Body = new ZodValidationPipe({{thingCamel}}BodySchema);
// #endif

/** `/{{name}}`: thin, one service call per route. */
@Controller('{{name}}')
export class {{Name}}Controller {
  constructor(private readonly {{nameCamel}}: {{Name}}Service) {}

  @Get()
  @ApiRoute({ summary: 'A page of {{name}}', description: 'In id order: `limit`, and `cursor` from the previous page.', response: {{thingCamel}}PageSchema })
// #if degradable
  @Degradable({{NAME}}_FEATURE, { fallback: {{Name}}Fallback })
// #endif
  page(@Query({{Thing}}PageQueryPipe) query: {{Thing}}PageQuery): Promise<{{Thing}}Page> {
    return this.{{nameCamel}}.page(query.afterId, query.limit);
  }

  /** Cached: served from L1/L2 (ETag = version), loaded on a miss; a 404 is cached briefly. */
  @Get(':id')
  @ApiRoute({ summary: 'One {{thing}}', response: {{thingCamel}}Schema, problems: [NOT_FOUND] })
// #if degradable
  @Degradable({{NAME}}_FEATURE)
// #endif
  @Cached({ key: {{thingCamel}}KeyFromParams, ...{{THING}}_CACHE })
  get(@Param('id', {{thingCamel}}Id) id: number): Promise<{{Thing}}> {
    return this.{{nameCamel}}.get(id);
  }
// #if writeBehind

  @Post()
  @HttpCode(201)
  @ApiRoute({
    summary: 'Creates a {{thing}} (written behind)',
    response: {{thingCamel}}Schema,
    headers: { location: { description: 'The new {{thing}}: `/{{name}}/<id>`.', required: true } },
    problems: [NOT_QUEUED],
  })
  async create(@Body({{thingCamel}}Body) body: {{Thing}}Body, @Res({ passthrough: true }) reply: FastifyReply): Promise<{{Thing}}> {
    const created = await this.{{nameCamel}}.create(body);
    void reply.header('location', `/{{name}}/${created.id}`);
    return created;
  }

  @Put(':id')
  @ApiRoute({ summary: 'Replaces a {{thing}} (written behind)', response: {{thingCamel}}Schema, problems: [NOT_FOUND, NOT_QUEUED] })
  replace(@Param('id', {{thingCamel}}Id) id: number, @Body({{thingCamel}}Body) body: {{Thing}}Body): Promise<{{Thing}}> {
    return this.{{nameCamel}}.replace(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiRoute({ summary: 'Deletes a {{thing}} (written behind)', problems: [NOT_FOUND, NOT_QUEUED] })
  async delete(@Param('id', {{thingCamel}}Id) id: number): Promise<void> {
    await this.{{nameCamel}}.delete(id);
  }
// #endif
}
