import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import calculateSlot from 'cluster-key-slot';
import Redis from 'ioredis';
import { ThrowawayRedis } from './redis-server';
import { freePort, waitFor } from './ports';

const run = promisify(execFile);

/** Primaries of the test cluster; each has `replicas` replicas (one by default: six nodes). */
const PRIMARIES = 3;

/**
 * A throwaway Redis Cluster on loopback ports: six `redis-server --cluster-enabled yes`
 * (each a {@link ThrowawayRedis}: its own temp dir, no persistence, bound to 127.0.0.1, its
 * cluster bus on a second free port), joined by `redis-cli --cluster create --cluster-replicas 1`
 * into three primaries and three replicas. The shared Redis is never touched. Always
 * {@link stop} it.
 *
 * @example const cluster = await ThrowawayRedisCluster.start(); env.REDIS_CLUSTER_NODES = cluster.nodesVar;
 */
export class ThrowawayRedisCluster {
  private constructor(readonly nodes: readonly ThrowawayRedis[]) {}

  /**
   * Starts the servers (three primaries with `replicas` replicas each, @default 1), creates the
   * cluster and waits until every node reports `cluster_state:ok` and every replica is in sync.
   */
  static async start({ replicas = 1 }: { replicas?: number } = {}): Promise<ThrowawayRedisCluster> {
    const nodes: ThrowawayRedis[] = [];
    try {
      for (let i = 0; i < PRIMARIES * (replicas + 1); i++) {
        const busPort = await freePort();
        nodes.push(
          await ThrowawayRedis.start({
            // No 5 s wait before a replica's first sync; a replica promotes itself however old its data.
            args: [
              ...['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-port', String(busPort), '--cluster-node-timeout', '2000'],
              ...['--repl-diskless-sync-delay', '0', '--cluster-replica-validity-factor', '0'],
            ],
          }),
        );
      }
      const cluster = new ThrowawayRedisCluster(nodes);
      await run('redis-cli', ['--cluster', 'create', ...cluster.addresses, '--cluster-replicas', String(replicas), '--cluster-yes'], { timeout: 30_000 });
      const ok = (info: string) => /^cluster_state:ok/m.test(info) && /^cluster_slots_ok:16384/m.test(info);
      // Replicas are told whom to follow after the slots are assigned: wait until that has spread and they have synced.
      const synced = (info: string) => !/^role:slave/m.test(info) || /^master_link_status:up/m.test(info);
      await waitFor(
        async () =>
          (await cluster.everyNode(ok, 'CLUSTER', 'INFO')) &&
          (await cluster.everyNode(synced, 'INFO', 'replication')) &&
          (await cluster.primaries()).length === PRIMARIES,
        30_000,
        'cluster_state:ok and replicas in sync',
      );
      return cluster;
    } catch (error) {
      await Promise.all(nodes.map((node) => node.stop()));
      throw error;
    }
  }

  /** `host:port` of every node. */
  get addresses(): string[] {
    return this.nodes.map((node) => `127.0.0.1:${node.port}`);
  }

  /** The value of `REDIS_CLUSTER_NODES` for this cluster. */
  get nodesVar(): string {
    return this.addresses.join(',');
  }

  /** Ports of the nodes that are primaries now (CLUSTER NODES of the first node still running). */
  async primaries(): Promise<number[]> {
    const nodes = await this.clusterNodes();
    return nodes
      .filter(({ flags }) => flags.includes('master') && !flags.includes('fail'))
      .map(({ port }) => port)
      .sort((a, b) => a - b);
  }

  /** The server on `port`. */
  node(port: number): ThrowawayRedis {
    const node = this.nodes.find((n) => n.port === port);
    if (!node) throw new Error(`no node of the cluster on port ${port}`);
    return node;
  }

  /** The port of the primary that owns `key`'s slot now (CLUSTER SLOTS of a running node). */
  async ownerOf(key: string): Promise<number> {
    const slot = calculateSlot(key);
    return this.withClient(async (client) => {
      const ranges = (await client.call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number]]>;
      const range = ranges.find(([from, to]) => slot >= from && slot <= to);
      if (!range) throw new Error(`no owner of slot ${slot}`);
      return range[2][1];
    });
  }

  /** The running replicas of the primary on `port`, as the cluster lists them now. */
  async replicasOf(port: number): Promise<ThrowawayRedis[]> {
    const nodes = await this.clusterNodes();
    const primary = nodes.find((n) => n.port === port);
    if (!primary) throw new Error(`no node on port ${port}`);
    return nodes
      .filter((n) => n.master === primary.id && !n.flags.includes('fail'))
      .map((n) => this.node(n.port))
      .filter((n) => n.running);
  }

  /**
   * Freezes (SIGSTOP) the replicas of the primary on `port` and cuts their links to it: the primary
   * goes on taking writes that no replica receives (a frozen replica cannot reconnect), and WAIT
   * on it times out. Returns the thaw: SIGCONT, then resolves once the primary lists them all online.
   */
  async freezeReplicasOf(port: number): Promise<() => Promise<void>> {
    const replicas = await this.replicasOf(port);
    if (replicas.length === 0) throw new Error(`the primary on port ${port} has no replica`);
    for (const replica of replicas) replica.pause();
    await this.command(port, 'CLIENT', 'KILL', 'TYPE', 'replica');
    return async () => {
      for (const replica of replicas) replica.resume();
      const online = (info: string) => (info.match(/^slave\d+:.*state=online/gm) ?? []).length >= replicas.length;
      await waitFor(async () => online((await this.command(port, 'INFO', 'replication')) as string), 15_000, `the replicas of ${port} back online`);
    };
  }

  /**
   * Gives the primary on `toPort` the slot of `key`, which must hold no key (a fresh cluster): the
   * import/migrate/assign steps of a resharding without MIGRATE. Resolves once every running node
   * names the new owner. For tests that want two slots on two primaries.
   */
  async moveSlot(key: string, toPort: number): Promise<void> {
    const slot = String(calculateSlot(key));
    const fromPort = await this.ownerOf(key);
    if (fromPort === toPort) return;
    const [fromId, toId] = await Promise.all([this.idOf(fromPort), this.idOf(toPort)]);
    await this.command(toPort, 'CLUSTER', 'SETSLOT', slot, 'IMPORTING', fromId);
    await this.command(fromPort, 'CLUSTER', 'SETSLOT', slot, 'MIGRATING', toId);
    await this.command(toPort, 'CLUSTER', 'SETSLOT', slot, 'NODE', toId);
    await this.command(fromPort, 'CLUSTER', 'SETSLOT', slot, 'NODE', toId);
    await waitFor(
      async () => {
        const owners = await Promise.all(this.nodes.filter((n) => n.running).map((n) => this.command(n.port, 'CLUSTER', 'SLOTS').catch(() => [])));
        return owners.every((ranges) =>
          (ranges as Array<[number, number, [string, number]]>).some(([from, to, [, port]]) => Number(slot) >= from && Number(slot) <= to && port === toPort),
        );
      },
      10_000,
      `slot ${slot} on the node of port ${toPort}`,
    );
  }

  /** The port of a node that is running (not killed). */
  anyRunning(): number {
    const node = this.nodes.find((n) => n.running);
    if (!node) throw new Error('no node of the cluster is running');
    return node.port;
  }

  /** The entries of CLUSTER NODES (of a running node): id, port, flags, the id of the primary a replica follows. */
  private async clusterNodes(): Promise<Array<{ id: string; port: number; flags: string[]; master: string }>> {
    const text = await this.withClient(async (client) => (await client.call('CLUSTER', 'NODES')) as string);
    return text
      .trim()
      .split('\n')
      .map((line) => line.split(' '))
      .filter(([, address]) => address !== undefined)
      .map(([id, address, flags, master]) => ({ id, port: Number(address.split('@')[0].split(':')[1]), flags: flags.split(','), master }));
  }

  private idOf(port: number): Promise<string> {
    return this.command(port, 'CLUSTER', 'MYID') as Promise<string>;
  }

  /** One command on the node of `port`, on a connection of its own. */
  async command(port: number, ...command: [string, ...string[]]): Promise<unknown> {
    const client = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await client.connect();
      return await client.call(...command);
    } finally {
      client.disconnect();
    }
  }

  private async withClient<T>(use: (client: Redis) => Promise<T>): Promise<T> {
    const client = new Redis(this.anyRunning(), '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await client.connect();
      return await use(client);
    } finally {
      client.disconnect();
    }
  }

  /** Kills every node and removes their directories; for afterAll. */
  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop()));
  }

  /** True when `check` holds for the reply of `command` on every node. */
  private async everyNode(check: (reply: string) => boolean, ...command: [string, ...string[]]): Promise<boolean> {
    const infos = await Promise.all(
      this.nodes.map(async (node) => {
        const client = new Redis(node.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1 });
        try {
          await client.connect();
          return (await client.call(...command)) as string;
        } catch {
          return '';
        } finally {
          client.disconnect();
        }
      }),
    );
    return infos.every(check);
  }
}
