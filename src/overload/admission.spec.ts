import { AdmissionController, type AdmissionOptions, type Criticality, type RejectReason } from './admission';

describe('AdmissionController', () => {
  const options: AdmissionOptions = { queueSize: 2, queueTimeoutMs: 50, sheddableShare: 0.5 };
  let limit: { limit: number; record: jest.Mock };
  let controller: AdmissionController;

  beforeEach(() => {
    jest.useFakeTimers();
    limit = { limit: 4, record: jest.fn() };
    controller = new AdmissionController(limit, options, true, () => Date.now());
  });
  afterEach(() => jest.useRealTimers());

  /** Asks admission for one request; returns what happened to it so far and its release. */
  function request(criticality: Criticality) {
    const outcome: { state: 'pending' | 'running' | RejectReason; release: () => void } = { state: 'pending', release: () => undefined };
    controller.admit(
      criticality,
      (release) => {
        outcome.state = 'running';
        outcome.release = release;
      },
      (reason) => (outcome.state = reason),
    );
    return outcome;
  }

  it('runs essential requests up to the limit, queues the next ones, refuses past the queue', () => {
    const running = [1, 2, 3, 4].map(() => request('essential'));
    expect(running.map((r) => r.state)).toEqual(['running', 'running', 'running', 'running']);
    const queued = [request('essential'), request('essential')];
    expect(queued.map((r) => r.state)).toEqual(['pending', 'pending']);
    expect(request('essential').state).toBe('queue-full');
    expect(controller.snapshot()).toMatchObject({ inFlight: 4, queued: 2, rejected: { essential: 1 } });
  });

  it('serves the queue newest first when a request completes, and times out the oldest', () => {
    const running = [1, 2, 3, 4].map(() => request('essential'));
    const older = request('essential');
    const newer = request('essential');
    running[0].release();
    expect(newer.state).toBe('running');
    expect(older.state).toBe('pending');
    jest.advanceTimersByTime(50);
    expect(older.state).toBe('queue-timeout');
    expect(controller.snapshot()).toMatchObject({ queued: 0, queueTimeouts: 1 });
  });

  it('a queue that stood a whole timeout closes: requests over the limit are refused at once, those waiting still run', () => {
    const running = [1, 2, 3, 4].map(() => request('essential'));
    const waiting = request('essential');
    jest.advanceTimersByTime(49);
    expect(request('essential').state).toBe('pending'); // the queue has not stood a whole interval yet
    jest.setSystemTime(Date.now() + 1); // the clock moves, the timeout has not fired yet (a busy event loop's late timer)
    expect(request('essential').state).toBe('limit'); // the queue stood a whole interval: refused at once, not queued
    expect(controller.snapshot()).toMatchObject({ standingQueue: true, queued: 2 });
    running[0].release();
    expect(controller.snapshot().queued).toBe(1); // the newest waiter got the slot
    running[1].release();
    expect(waiting.state).toBe('running');
    jest.advanceTimersByTime(10);
    expect(request('essential').state).toBe('limit'); // still over the limit within the interval: still closed
  });

  it('the queue opens again once a whole interval passed with no request over the limit', () => {
    const running = [1, 2, 3, 4].map(() => request('essential'));
    request('essential');
    jest.advanceTimersByTime(50); // the waiter times out: the queue stood
    expect(controller.snapshot()).toMatchObject({ standingQueue: true, queueTimeouts: 1 });
    expect(request('essential').state).toBe('limit');
    jest.advanceTimersByTime(50);
    expect(controller.snapshot().standingQueue).toBe(false);
    expect(request('essential').state).toBe('pending'); // a burst is queued again
    running[0].release();
  });

  it('never refuses critical requests, nor counts them against the limit', () => {
    [1, 2, 3, 4, 5, 6].forEach(() => request('essential'));
    expect(request('essential').state).toBe('queue-full');
    const probes = [1, 2, 3].map(() => request('critical'));
    expect(probes.map((p) => p.state)).toEqual(['running', 'running', 'running']);
    expect(controller.inFlight).toBe(4);
  });

  it('refuses sheddable requests first: past their share of the limit, or while essential ones wait', () => {
    expect([request('sheddable'), request('sheddable')].map((r) => r.state)).toEqual(['running', 'running']);
    expect(request('sheddable').state).toBe('limit'); // 2 of 4 in flight: sheddable's share is used
    expect(request('essential').state).toBe('running'); // essential still has room
    request('essential');
    request('essential'); // queued
    const late = request('sheddable');
    expect(late.state).toBe('limit');
    expect(controller.snapshot().rejected).toEqual({ critical: 0, essential: 0, sheddable: 2 });
  });

  it('feeds each completed request to the limit with its latency and the in-flight count at its start', () => {
    const first = request('essential');
    jest.advanceTimersByTime(7);
    request('essential');
    first.release();
    first.release(); // a second release is ignored
    expect(limit.record).toHaveBeenCalledTimes(1);
    expect(limit.record).toHaveBeenCalledWith(7, 1);
  });

  it('a pinned limit replaces the adaptive one (and is not taught by the latencies); unpinning gives it back', () => {
    controller.pin(1);
    const one = request('essential');
    expect(request('essential').state).toBe('pending');
    one.release();
    expect(limit.record).not.toHaveBeenCalled();
    controller.pin(undefined);
    expect(controller.limit).toBe(4);
  });

  it('disabled: everything runs, and whatever waited runs at once', () => {
    [1, 2, 3, 4].forEach(() => request('essential'));
    const waiting = request('essential');
    controller.setEnabled(false);
    expect(waiting.state).toBe('running');
    expect([1, 2, 3, 4, 5, 6].map(() => request('sheddable').state).every((s) => s === 'running')).toBe(true);
  });
});
