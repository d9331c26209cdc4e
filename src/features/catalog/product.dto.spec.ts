import { catalogConfig } from './catalog.config';
import { encodeCursor, expectedVersion, parseIfMatch, productIdSchema, productQuerySchema } from './product.dto';
import { loadConfig } from '../../config';
import { RequestValidationError } from '../../http';

describe('catalog request parsing', () => {
  const schema = productQuerySchema(loadConfig([catalogConfig], { CATALOG_BATCH_MAX_IDS: '3', CATALOG_PAGE_LIMIT_MAX: '50' }).get(catalogConfig));

  it('parses ids in the range JSON numbers hold exactly', () => {
    expect(productIdSchema.parse('42')).toBe(42);
    expect(productIdSchema.parse(String(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    for (const bad of ['0', '-1', '01', '1.5', '1e3', ' 1', '9007199254740992', '9'.repeat(20)]) {
      expect(productIdSchema.safeParse(bad).success).toBe(false);
    }
  });

  it('folds duplicate ids and keeps first-seen order', () => {
    expect(schema.parse({ ids: '3,1,3' })).toEqual({ kind: 'batch', ids: [3, 1] });
  });

  it('counts the ids as given, before folding, against the limit', () => {
    expect(schema.safeParse({ ids: '1,1,1,1' }).success).toBe(false);
  });

  it('reports each bad element of an id list', () => {
    const result = schema.safeParse({ ids: '1,,x' });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.message)).toEqual(['element 2 is empty', expect.stringMatching(/^element 3 must be/)]);
  });

  it('pages with a default limit and a cursor that round-trips', () => {
    expect(schema.parse({})).toEqual({ kind: 'page', limit: 20, afterId: 0 });
    expect(schema.parse({ limit: '50', cursor: encodeCursor(120) })).toEqual({ kind: 'page', limit: 50, afterId: 120 });
    expect(schema.safeParse({ limit: '51' }).success).toBe(false);
    expect(schema.safeParse({ cursor: 'garbage' }).success).toBe(false);
    expect(schema.safeParse({ ids: '1', limit: '5' }).success).toBe(false);
  });

  it('reads If-Match as a strong ETag, a bare version, or * (unconditional)', () => {
    expect(parseIfMatch(undefined)).toBeUndefined();
    expect(parseIfMatch('*')).toBeUndefined();
    expect(parseIfMatch('"3"')).toBe(3);
    expect(parseIfMatch('3')).toBe(3);
    for (const bad of ['W/"3"', '"3', 'abc', '"0"', '"2147483648"', '"1", "2"']) expect(parseIfMatch(bad)).toBeNull();
  });

  it('takes the version from If-Match or the body, and refuses a disagreement', () => {
    expect(expectedVersion('"4"', undefined)).toBe(4);
    expect(expectedVersion(undefined, 5)).toBe(5);
    expect(expectedVersion('"5"', 5)).toBe(5);
    expect(() => expectedVersion('"4"', 5)).toThrow(RequestValidationError);
    expect(() => expectedVersion('nope', undefined)).toThrow(RequestValidationError);
  });
});
