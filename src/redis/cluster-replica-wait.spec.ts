import calculateSlot from 'cluster-key-slot';
import { EventEmitter } from 'node:events';
import type Redis from 'ioredis';
import { Cluster } from 'ioredis';
import { ReplicaWait } from './replica-wait';

/** A node connection of the fake cluster whose WAIT replies when the test says so. */
function node(port: number) {
  const pending: Array<(replicas: number) => void> = [];
  const wait = jest.fn(() => new Promise<number>((resolve) => pending.push(resolve)));
  const redis = Object.assign(new EventEmitter(), { options: { host: '127.0.0.1', port }, wait }) as unknown as Redis & { wait: jest.Mock };
  return { redis, wait, reply: (replicas: number) => pending.shift()?.(replicas) };
}

type FakeNode = ReturnType<typeof node>;

/** A real (never connected) ioredis Cluster whose slot table and node connections the test sets. */
function cluster(nodes: FakeNode[]) {
  const client = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true });
  let pool = nodes.map((n) => n.redis);
  client.nodes = () => pool;
  const own = (key: string, owner: FakeNode) => (client.slots[calculateSlot(key)] = [`127.0.0.1:${owner.redis.options.port}`]);
  return { client, own, setPool: (next: FakeNode[]) => (pool = next.map((n) => n.redis)) };
}

const STATE = 'bulwark:wb:{products}';
const QUEUE = 'bulwark:bull:{wb-products}';
const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('ReplicaWait on a Redis Cluster', () => {
  it('sends WAIT to the owner of each slot written, in parallel, and takes the fewest acknowledgements', async () => {
    const [a, b, c] = [node(7000), node(7001), node(7002)];
    const { client, own } = cluster([a, b, c]);
    own(STATE, a);
    own(QUEUE, b);
    const replicas = new ReplicaWait(client, 1, 100, [STATE, QUEUE]);
    const both = replicas.confirm(replicas.mark());
    await flush();
    expect([a.wait.mock.calls.length, b.wait.mock.calls.length, c.wait.mock.calls.length]).toEqual([1, 1, 0]);
    a.reply(1);
    b.reply(0);
    await expect(both).rejects.toThrow('0 of 1 replica(s) confirmed within 100 ms');
    const again = replicas.confirm(replicas.mark());
    await flush();
    a.reply(2);
    b.reply(1);
    await expect(again).resolves.toBeUndefined();
  });

  it('one WAIT for slots of one node, shared with another user of that node connection', async () => {
    const a = node(7000);
    const { client, own } = cluster([a]);
    own(STATE, a);
    own(QUEUE, a);
    const root = new ReplicaWait(client, 1, 100);
    const products = root.covering([STATE, QUEUE]);
    const orders = root.covering(['bulwark:wb:{orders}']);
    own('bulwark:wb:{orders}', a);
    const first = products.confirm(products.mark());
    const second = products.confirm(products.mark());
    const third = orders.confirm(orders.mark());
    await flush();
    expect(a.wait).toHaveBeenCalledTimes(1);
    a.reply(1);
    await first;
    await flush();
    expect(a.wait).toHaveBeenCalledTimes(2);
    a.reply(1);
    await Promise.all([second, third]);
  });

  it("refuses when a slot's owner changed between mark and confirm, though the new owner's replicas confirm", async () => {
    const [a, b] = [node(7000), node(7001)];
    const { client, own } = cluster([a, b]);
    own(STATE, a);
    own(QUEUE, a);
    const replicas = new ReplicaWait(client, 1, 100, [STATE, QUEUE]);
    const mark = replicas.mark();
    own(STATE, b); // a MOVED or a slot-table refresh after a failover
    const confirmed = replicas.confirm(mark);
    await flush();
    a.reply(1);
    b.reply(1);
    await expect(confirmed).rejects.toThrow(/cluster topology changed/);
    expect(a.wait).toHaveBeenCalledTimes(1);
    expect(b.wait).toHaveBeenCalledTimes(1);
  });

  it("refuses when the owner's connection closed since the mark", async () => {
    const a = node(7000);
    const { client, own } = cluster([a]);
    own(STATE, a);
    const replicas = new ReplicaWait(client, 1, 100, [STATE]);
    const mark = replicas.mark();
    a.redis.emit('close');
    const confirmed = replicas.confirm(mark);
    await flush();
    a.reply(1);
    await expect(confirmed).rejects.toThrow(/cluster topology changed/);
  });

  it.each(['+node', '-node'])('refuses across a %s of the cluster', async (event) => {
    const a = node(7000);
    const { client, own } = cluster([a]);
    own(STATE, a);
    const replicas = new ReplicaWait(client, 1, 100, [STATE]);
    const mark = replicas.mark();
    client.emit(event, a.redis);
    const confirmed = replicas.confirm(mark);
    await flush();
    a.reply(1);
    await expect(confirmed).rejects.toThrow(/cluster topology changed/);
  });

  it('refuses when a slot has no owner with a connection, and when it covers no key', async () => {
    const a = node(7000);
    const { client, own, setPool } = cluster([a]);
    own(STATE, a);
    setPool([]);
    const replicas = new ReplicaWait(client, 1, 100, [STATE]);
    await expect(replicas.confirm(replicas.mark())).rejects.toThrow(/no connection to the owner of slot/);
    const root = new ReplicaWait(client, 1, 100);
    await expect(root.confirm(root.mark())).rejects.toThrow(/covers no key/);
  });

  it('sends nothing with 0 replicas required', async () => {
    const a = node(7000);
    const { client, own } = cluster([a]);
    own(STATE, a);
    await new ReplicaWait(client, 0, 100, [STATE]).confirm(0);
    expect(a.wait).not.toHaveBeenCalled();
  });
});
