import { createEntry, decodeEntry, encodeEntry, etagOf } from './cache-entry.codec';

describe('cache entry codec', () => {
  it('round-trips an entry whose body and tags hold the separators', () => {
    const entry = createEntry(Buffer.from('{"name":"a|b,c 🚀"}'), 1000, 2000, false, ['product:1', 'x|y,z']);
    expect(decodeEntry(encodeEntry(entry))).toEqual(entry);
  });

  it('round-trips a negative entry with no tags', () => {
    const entry = createEntry(Buffer.from('null'), 5, 6, true, []);
    expect(decodeEntry(encodeEntry(entry))).toEqual(entry);
  });

  it('reads anything else as a miss', () => {
    for (const text of [null, undefined, '', 'hello', 'b1|1|2', 'b0|1|2|0||"e"|{}', 'b1|x|2|0||"e"|{}']) {
      expect(decodeEntry(text)).toBeUndefined();
    }
  });

  it('derives a strong ETag from the bytes', () => {
    expect(etagOf(Buffer.from('a'))).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    expect(etagOf(Buffer.from('a'))).toBe(etagOf(Buffer.from('a')));
    expect(etagOf(Buffer.from('a'))).not.toBe(etagOf(Buffer.from('b')));
  });
});
