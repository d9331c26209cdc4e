import { setSwitchBodySchema, switchListSchema } from './degradation.schemas';

describe('switchListSchema (DEGRADATION_SWITCHES)', () => {
  it('parses name=state pairs, spaces allowed, empty = none', () => {
    expect(switchListSchema.parse('recommendations=off, search.suggest = fallback,')).toEqual({ recommendations: 'off', 'search.suggest': 'fallback' });
    expect(switchListSchema.parse('')).toEqual({});
    expect(switchListSchema.parse(undefined)).toEqual({});
  });

  it('rejects unknown states, bad names, pairs without "=", and a name given twice', () => {
    expect(switchListSchema.safeParse('recommendations=maybe').error?.issues[0]?.message).toMatch(/must be one of on, off, fallback/);
    expect(switchListSchema.safeParse('Recs=off').error?.issues[0]?.message).toMatch(/must be 1-64/);
    expect(switchListSchema.safeParse('recommendations').error?.issues[0]?.message).toMatch(/is not name=state/);
    expect(switchListSchema.safeParse('a=off=on').error?.issues[0]?.message).toMatch(/is not name=state/);
    expect(switchListSchema.safeParse('a=off,a=on').error?.issues[0]?.message).toMatch(/given twice/);
  });
});

describe('setSwitchBodySchema (PUT /admin/switches/:feature)', () => {
  it('accepts exactly {state}', () => {
    expect(setSwitchBodySchema.parse({ state: 'fallback' })).toEqual({ state: 'fallback' });
    expect(setSwitchBodySchema.safeParse({ state: 'disabled' }).success).toBe(false);
    expect(setSwitchBodySchema.safeParse({ state: 'on', ttl: 5 }).success).toBe(false);
    expect(setSwitchBodySchema.safeParse({}).success).toBe(false);
  });
});
