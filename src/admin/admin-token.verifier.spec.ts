import { AdminTokenVerifier } from './admin-token.verifier';

const TOKEN = 'correct-horse-battery-staple';

describe('AdminTokenVerifier', () => {
  const verifier = new AdminTokenVerifier({ token: TOKEN });

  it('accepts the configured bearer token (scheme case-insensitive)', () => {
    expect(verifier.enabled).toBe(true);
    expect(verifier.check(`Bearer ${TOKEN}`)).toBeUndefined();
    expect(verifier.check(`bearer ${TOKEN}`)).toBeUndefined();
  });

  it('says why anything else is refused', () => {
    expect(verifier.check(undefined)).toBe('missing');
    expect(verifier.check('')).toBe('missing');
    expect(verifier.check(TOKEN)).toBe('malformed');
    expect(verifier.check(`Basic ${TOKEN}`)).toBe('malformed');
    expect(verifier.check(`Bearer ${TOKEN} extra`)).toBe('malformed');
    expect(verifier.check(`Bearer ${TOKEN}x`)).toBe('wrong');
    expect(verifier.check(`Bearer ${TOKEN.slice(0, -1)}`)).toBe('wrong');
    expect(verifier.check('Bearer x')).toBe('wrong');
  });

  it('is disabled without a token, and then accepts nothing', () => {
    const off = new AdminTokenVerifier({ token: undefined });
    expect(off.enabled).toBe(false);
    expect(off.check(`Bearer ${TOKEN}`)).toBe('wrong');
  });
});
