import { parseSwitchFile } from './switch-file.parser';

const ok = (path: string, text: string) => {
  const result = parseSwitchFile(path, text);
  if (!result.ok) throw new Error(`rejected: ${result.problems.join('; ')}`);
  return Object.fromEntries(result.switches);
};
const problems = (path: string, text: string) => {
  const result = parseSwitchFile(path, text);
  if (result.ok) throw new Error('accepted');
  return result.problems.join('; ');
};

describe('parseSwitchFile', () => {
  it('reads JSON and YAML (.yaml and .yml), by extension', () => {
    expect(ok('/etc/s.json', '{"switches": {"recommendations": "off", "search": "fallback"}}')).toEqual({ recommendations: 'off', search: 'fallback' });
    expect(ok('/etc/s.yaml', 'switches:\n  recommendations: fallback\n  search: on\n')).toEqual({ recommendations: 'fallback', search: 'on' });
    expect(ok('/etc/S.YML', '# comment\nswitches: {recommendations: "off"}\n')).toEqual({ recommendations: 'off' });
    expect(ok('/etc/s.json', '{"switches": {}}')).toEqual({});
  });

  it('rejects syntax errors, with the format named', () => {
    expect(problems('s.json', '{"switches": {"a": "off",}')).toMatch(/^not valid JSON: /);
    expect(problems('s.yaml', 'switches:\n  a: [off\n')).toMatch(/^not valid YAML: /);
    expect(problems('s.yaml', 'switches:\n  a: off\n  a: on\n')).toMatch(/not valid YAML/);
  });

  it('rejects unknown states, bad names, unknown top-level keys and a missing switches map', () => {
    expect(problems('s.json', '{"switches": {"recommendations": "maybe"}}')).toMatch(/switches\.recommendations: must be one of on, off, fallback/);
    expect(problems('s.json', '{"switches": {"Bad Name": "off"}}')).toMatch(/must be 1-64/);
    expect(problems('s.json', '{"switches": {}, "extra": 1}')).toMatch(/extra/);
    expect(problems('s.yaml', 'recommendations: off\n')).toMatch(/switches/);
    expect(problems('s.yaml', '- a\n- b\n')).toMatch(/the file/);
  });

  it('rejects an empty file (a half-written file must not clear every switch) and unknown extensions', () => {
    expect(problems('s.yaml', '  \n')).toMatch(/empty/);
    expect(problems('s.toml', 'switches = {}')).toMatch(/unsupported extension ".toml"/);
  });
});
