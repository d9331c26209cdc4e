import { newKeyName } from './key-migration';

describe('newKeyName', () => {
  const p = 'bulwark:';

  it('tags the write state by entity, BullMQ keys by queue, the overrides by degradation', () => {
    expect(newKeyName(p, 'bulwark:wb:products:pend')).toBe('bulwark:wb:{products}:pend');
    expect(newKeyName(p, 'bulwark:wb:products:ids:lock')).toBe('bulwark:wb:{products}:ids:lock');
    expect(newKeyName(p, 'bulwark:bull:wb-products:wait')).toBe('bulwark:bull:{wb-products}:wb-products:wait');
    expect(newKeyName(p, 'bulwark:bull:product-events:w12')).toBe('bulwark:bull:{product-events}:product-events:w12');
    expect(newKeyName(p, 'bulwark:degradation:overrides')).toBe('bulwark:{degradation}:overrides');
  });

  it('leaves new names, other prefixes, the cache and the schedules alone', () => {
    for (const key of [
      'bulwark:wb:{products}:pend',
      'bulwark:bull:{wb-products}:wb-products:wait',
      'bulwark:{degradation}:overrides',
      'other:wb:products:pend',
      'bulwark:cache:product:1',
      'bulwark:schedules:paused',
    ]) {
      expect(newKeyName(p, key)).toBeUndefined();
    }
  });
});
