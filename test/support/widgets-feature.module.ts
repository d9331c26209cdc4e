import { Body, Controller, Get, Module, Param, Post } from '@nestjs/common';
import { z } from 'zod';
import { Cached } from '../../src/cache';
import { ApiRoute, ResourceNotFoundError, ZodValidationPipe } from '../../src/http';

/**
 * A test-only feature written the way a feature team writes one (zod pipes, a cached GET,
 * `@ApiRoute`), registered through `startTestApp({ modules })` and nowhere else: the OpenAPI
 * e2e checks that it appears in the document by itself.
 */
const widgetIdSchema = z
  .string()
  .regex(/^[0-9]{1,6}$/, { error: 'must be 1-6 digits' })
  .transform(Number);
const createWidgetSchema = z.strictObject({ name: z.string().min(1).max(40), colour: z.enum(['red', 'green', 'blue']).default('red') });
export const widgetSchema = z.strictObject({ id: z.int().min(1), name: z.string(), colour: z.enum(['red', 'green', 'blue']) }).meta({ id: 'TestWidget' });

const widgets = new Map<number, z.output<typeof widgetSchema>>([[1, { id: 1, name: 'Sprocket', colour: 'blue' }]]);

@Controller('widgets')
class WidgetsController {
  @Get(':id')
  @ApiRoute({ summary: 'One widget', response: widgetSchema, problems: [{ status: 404, code: 'E_NOT_FOUND', when: 'no such widget' }] })
  @Cached({ key: 'widget:{id}' })
  get(@Param('id', new ZodValidationPipe(widgetIdSchema)) id: number): z.output<typeof widgetSchema> {
    const widget = widgets.get(id);
    if (!widget) throw new ResourceNotFoundError(`Widget ${id} does not exist.`);
    return widget;
  }

  @Post()
  @ApiRoute({ summary: 'Makes a widget', response: widgetSchema })
  create(@Body(new ZodValidationPipe(createWidgetSchema)) body: z.output<typeof createWidgetSchema>): z.output<typeof widgetSchema> {
    const widget = { id: widgets.size + 1, ...body };
    widgets.set(widget.id, widget);
    return widget;
  }
}

@Module({ controllers: [WidgetsController] })
export class WidgetsFeatureModule {}
