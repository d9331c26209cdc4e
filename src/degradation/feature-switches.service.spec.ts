import { Logger } from '@nestjs/common';
import { FeatureSwitches } from './feature-switches.service';
import type { SwitchState } from './degradation.types';

const map = (entries: Record<string, SwitchState>) => new Map(Object.entries(entries));

/** Precedence of the switch sources, shedding's place among them, and what each change records. */
describe('FeatureSwitches', () => {
  let logged: Array<Record<string, unknown>>;

  beforeEach(() => {
    logged = [];
    Logger.overrideLogger(false);
    jest.spyOn(Logger.prototype, 'log').mockImplementation((message: unknown) => void logged.push(message as Record<string, unknown>));
  });
  afterEach(() => jest.restoreAllMocks());

  const make = (env: Record<string, SwitchState> = {}) => {
    const switches = new FeatureSwitches({ switches: env });
    switches.declare({ feature: 'recs', essential: false });
    switches.declare({ feature: 'search', essential: true, defaultState: 'fallback' });
    return switches;
  };

  it('override > file > env > default, each layer taking over when the one above is removed', () => {
    const switches = make({ recs: 'fallback' });
    expect([switches.state('recs'), switches.info('recs')!.source]).toEqual(['fallback', 'env']);
    expect([switches.state('search'), switches.info('search')!.source]).toEqual(['fallback', 'default']);

    switches.replaceFile(map({ recs: 'on' }));
    expect([switches.state('recs'), switches.info('recs')!.source]).toEqual(['on', 'file']);

    switches.applyOverride('recs', 'off');
    expect([switches.state('recs'), switches.info('recs')!.source]).toEqual(['off', 'override']);
    expect(switches.info('recs')!.sources).toEqual({ override: 'off', file: 'on', env: 'fallback', default: 'on' });

    switches.applyOverride('recs', undefined);
    expect([switches.state('recs'), switches.info('recs')!.source]).toEqual(['on', 'file']);
    switches.replaceFile(new Map());
    expect([switches.state('recs'), switches.info('recs')!.source]).toEqual(['fallback', 'env']);
  });

  it('replaceOverrides sets the new overrides and drops the ones no longer there', () => {
    const switches = make();
    switches.replaceOverrides(map({ recs: 'off', search: 'on' }));
    expect([switches.state('recs'), switches.state('search')]).toEqual(['off', 'on']);
    switches.replaceOverrides(map({ search: 'off' }));
    expect([switches.state('recs'), switches.state('search')]).toEqual(['on', 'off']);
  });

  it('shedding moves only non-essential features whose state comes from env or default and is on', () => {
    const switches = make();
    switches.declare({ feature: 'pinned', essential: false });
    switches.declare({ feature: 'dark', essential: false, defaultState: 'off' });
    switches.replaceFile(map({ pinned: 'on' }));

    switches.setShedding(true);
    expect(switches.state('recs')).toBe('fallback');
    expect(switches.info('recs')).toMatchObject({ source: 'shedding', shed: true, automaticChanges: 1 });
    expect(switches.state('search')).toBe('fallback'); // essential: its own default, not shedding
    expect(switches.info('search')!.source).toBe('default');
    expect(switches.info('pinned')).toMatchObject({ state: 'on', source: 'file', shed: false }); // manual wins
    expect(switches.info('dark')).toMatchObject({ state: 'off', source: 'default', shed: false }); // off stays off

    // A manual override during shedding wins, and clearing it returns the feature to shedding.
    switches.applyOverride('recs', 'on');
    expect(switches.info('recs')).toMatchObject({ state: 'on', source: 'override' });
    switches.applyOverride('recs', undefined);
    expect(switches.info('recs')).toMatchObject({ state: 'fallback', source: 'shedding' });

    switches.setShedding(false);
    expect(switches.info('recs')).toMatchObject({ state: 'on', source: 'default', changes: 4, automaticChanges: 2 });
  });

  it('logs each effective change once, with feature, from, to and source; no line when nothing changes', () => {
    const switches = make();
    logged.length = 0;
    switches.applyOverride('recs', 'off');
    switches.replaceFile(map({ recs: 'fallback' })); // hidden by the override: no change
    switches.applyOverride('recs', 'off');
    expect(logged).toEqual([{ feature: 'recs', from: 'on', to: 'off', source: 'override', automatic: false }]);
    expect(switches.info('recs')!.changes).toBe(1);
  });

  it('state() is "on" for an undeclared feature, and the hot path reads a Map (same answer on every call)', () => {
    const switches = make();
    expect(switches.state('nobody')).toBe('on');
    switches.applyOverride('nobody', 'off');
    expect(switches.state('nobody')).toBe('on');
    expect(switches.has('nobody')).toBe(false);
    // Declared later, the feature picks up the override already stored.
    switches.declare({ feature: 'nobody', essential: false });
    expect(switches.state('nobody')).toBe('off');
  });

  it('refuses a bad name, a bad default state, and a feature declared twice', () => {
    const switches = make();
    expect(() => switches.declare({ feature: 'Bad Name' })).toThrow(/name must be/);
    expect(() => switches.declare({ feature: 'x', defaultState: 'maybe' as SwitchState })).toThrow(/defaultState/);
    expect(() => switches.declare({ feature: 'recs' })).toThrow(/declared twice/);
  });

  it('counts fallbacks and rejections per feature, and lists switches by name with shedding status', () => {
    const switches = make();
    switches.countFallback('recs');
    switches.countFallback('recs');
    switches.countRejected('search');
    switches.countFallback('undeclared');
    const stats = switches.stats();
    expect(stats.switches.map((s) => s.feature)).toEqual(['recs', 'search']);
    expect(stats.switches.map((s) => [s.fallbacksServed, s.rejected])).toEqual([
      [2, 0],
      [0, 1],
    ]);
    expect(stats.shedding).toMatchObject({ enabled: false, active: false });
  });
});
