import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { ThrowawayRedis } from './redis-server';
import { freePort, waitFor } from './ports';

const run = promisify(execFile);

/** Nodes of the test cluster: three primaries, each with one replica. */
const NODES = 6;

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

  /** Starts the six servers, creates the cluster and waits until every node reports `cluster_state:ok`. */
  static async start(): Promise<ThrowawayRedisCluster> {
    const nodes: ThrowawayRedis[] = [];
    try {
      for (let i = 0; i < NODES; i++) {
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
      await run('redis-cli', ['--cluster', 'create', ...cluster.addresses, '--cluster-replicas', '1', '--cluster-yes'], { timeout: 30_000 });
      const ok = (info: string) => /^cluster_state:ok/m.test(info) && /^cluster_slots_ok:16384/m.test(info);
      // Replicas are told whom to follow after the slots are assigned: wait until that has spread and they have synced.
      const synced = (info: string) => !/^role:slave/m.test(info) || /^master_link_status:up/m.test(info);
      await waitFor(
        async () =>
          (await cluster.everyNode(ok, 'CLUSTER', 'INFO')) &&
          (await cluster.everyNode(synced, 'INFO', 'replication')) &&
          (await cluster.primaries()).length === NODES / 2,
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
    const client = new Redis(this.anyRunning(), '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await client.connect();
      const lines = ((await client.call('CLUSTER', 'NODES')) as string).trim().split('\n');
      return lines
        .map((line) => line.split(' '))
        .filter(([, address, flags]) => address !== undefined && flags.split(',').includes('master') && !flags.includes('fail'))
        .map(([, address]) => Number(address.split('@')[0].split(':')[1]))
        .sort((a, b) => a - b);
    } finally {
      client.disconnect();
    }
  }

  /** The port of a node that is running (not killed). */
  anyRunning(): number {
    const node = this.nodes.find((n) => n.running);
    if (!node) throw new Error('no node of the cluster is running');
    return node.port;
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
