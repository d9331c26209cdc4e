import { loadConfig } from '../../config';
import { {{nameCamel}}Config } from './{{name}}.config';
// #if writeBehind
import { {{thingCamel}}BodySchema, encode{{Thing}}Cursor, {{thingCamel}}IdSchema, {{thingCamel}}PageQuerySchema } from './{{thing}}.dto';
// #else
import { encode{{Thing}}Cursor, {{thingCamel}}IdSchema, {{thingCamel}}PageQuerySchema } from './{{thing}}.dto';
// #endif

describe('{{name}} request parsing', () => {
  const schema = {{thingCamel}}PageQuerySchema(loadConfig([{{nameCamel}}Config], { {{NAME}}_PAGE_LIMIT_MAX: '50' }).get({{nameCamel}}Config));

  it('parses ids in the range JSON numbers hold exactly', () => {
    expect({{thingCamel}}IdSchema.parse('42')).toBe(42);
    for (const bad of ['0', '-1', '01', '1.5', '1e3', ' 1', '9007199254740992']) expect({{thingCamel}}IdSchema.safeParse(bad).success).toBe(false);
  });

  it('pages with a default limit and a cursor that round-trips', () => {
    expect(schema.parse({})).toEqual({ limit: 20, afterId: 0 });
    expect(schema.parse({ limit: '50', cursor: encode{{Thing}}Cursor(120) })).toEqual({ limit: 50, afterId: 120 });
    for (const bad of [{ limit: '51' }, { limit: '0' }, { cursor: 'garbage' }, { colour: 'red' }]) expect(schema.safeParse(bad).success).toBe(false);
  });
// #if writeBehind

  it('takes a trimmed name of 1 to 200 characters and nothing else', () => {
    expect({{thingCamel}}BodySchema.parse({ name: '  a name ' })).toEqual({ name: 'a name' });
    for (const bad of [{}, { name: '' }, { name: '   ' }, { name: 'x'.repeat(201) }, { name: 'a\u0000b' }, { name: 'ok', extra: 1 }]) {
      expect({{thingCamel}}BodySchema.safeParse(bad).success).toBe(false);
    }
  });
// #endif
});
