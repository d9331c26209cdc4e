import calculateSlot from 'cluster-key-slot';
import { bullPrefix, slotKey } from './hash-tag';

describe('slotKey', () => {
  it('tags the key, so names made of one key under several prefixes share its slot', () => {
    expect(slotKey('p:cache:', 'product:42')).toBe('p:cache:{product:42}');
    for (const key of ['product:42', 'a{b}c', 'x}y', '', '}', 'é']) {
      expect(calculateSlot(slotKey('p:cache:', key))).toBe(calculateSlot(slotKey('p:cache-gen:', key)));
    }
  });

  it('tags an empty key, or one that starts with }, as {_} (an empty tag would hash the whole name)', () => {
    expect(slotKey('p:', '')).toBe('p:{_}');
    expect(slotKey('p:', '}x')).toBe('p:{_}}x');
  });
});

describe('bullPrefix', () => {
  it("is the queue's own hash tag under <prefix>bull:", () => {
    expect(bullPrefix('bulwark:', 'wb-products')).toBe('bulwark:bull:{wb-products}');
    expect(calculateSlot(`${bullPrefix('bulwark:', 'mail')}:mail:wait`)).toBe(calculateSlot(`${bullPrefix('bulwark:', 'mail')}:mail:active`));
    expect(calculateSlot(bullPrefix('bulwark:', 'mail'))).not.toBe(calculateSlot(bullPrefix('bulwark:', 'wb-products')));
  });
});
