import { loadConfig } from '../../config';
import { RequestValidationError } from '../../http';
import { reviewsConfig } from './reviews.config';
import { authorIdSchema, createReviewSchema, parseAuthorId, encodeReviewCursor, reviewIdSchema, reviewPageQuerySchema } from './review.dto';

describe('reviews request parsing', () => {
  const schema = reviewPageQuerySchema(loadConfig([reviewsConfig], { REVIEWS_PAGE_LIMIT_MAX: '50' }).get(reviewsConfig));

  it('parses review ids in the range JSON numbers hold exactly', () => {
    expect(reviewIdSchema.parse('42')).toBe(42);
    for (const bad of ['0', '-1', '01', '1.5', '1e3', ' 1', '9007199254740992']) expect(reviewIdSchema.safeParse(bad).success).toBe(false);
  });

  it('pages from the newest with a default limit, and a cursor that round-trips', () => {
    expect(schema.parse({})).toEqual({ limit: 20, beforeId: 0 });
    expect(schema.parse({ limit: '50', cursor: encodeReviewCursor(120) })).toEqual({ limit: 50, beforeId: 120 });
    for (const bad of [{ limit: '51' }, { limit: '0' }, { cursor: 'garbage' }, { cursor: encodeReviewCursor(0) }, { colour: 'red' }])
      expect(schema.safeParse(bad).success).toBe(false);
  });

  it('takes a rating from 1 to 5 and a trimmed text of 1 to 2000 characters, nothing else', () => {
    expect(createReviewSchema.parse({ rating: 5, text: '  Lovely teapot.\nPours well. ' })).toEqual({ rating: 5, text: 'Lovely teapot.\nPours well.' });
    expect(createReviewSchema.safeParse({ rating: 1, text: '😀'.repeat(2000) }).success).toBe(true);
    for (const bad of [
      { rating: 0, text: 'x' },
      { rating: 6, text: 'x' },
      { rating: 4.5, text: 'x' },
      { rating: '5', text: 'x' },
      { rating: 3, text: '' },
      { rating: 3, text: ' \n ' },
      { rating: 3, text: 'x'.repeat(2001) },
      { rating: 3, text: 'a\u0000b' },
      { rating: 3, text: '\ud800' },
      { rating: 3 },
      { rating: 3, text: 'x', author: 'me' },
    ])
      expect(createReviewSchema.safeParse(bad).success).toBe(false);
  });

  it('takes a UUID as author id, in lower case, and refuses anything else as a problem naming the header', () => {
    expect(authorIdSchema.parse('3F0E5B7C-8D1A-4C2E-9B6F-2A7D9E1C4B5A')).toBe('3f0e5b7c-8d1a-4c2e-9b6f-2a7d9e1c4b5a');
    for (const bad of [undefined, '', 'alice', '3f0e5b7c-8d1a-4c2e-9b6f', '3f0e5b7c8d1a4c2e9b6f2a7d9e1c4b5a']) {
      let error: unknown;
      try {
        parseAuthorId(bad);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(RequestValidationError);
      expect((error as RequestValidationError).errors).toEqual([{ header: 'x-author-id', detail: expect.any(String) }]);
    }
  });
});
