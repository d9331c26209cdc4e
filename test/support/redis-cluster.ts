import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { freePort } from './app-process';
import { ThrowawayRedis } from './redis-server';
import { waitFor } from './test-app';

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
            args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-port', String(busPort), '--cluster-node-timeout', '2000'],
          }),
        );
      }
      const cluster = new ThrowawayRedisCluster(nodes);
      await run('redis-cli', ['--cluster', 'create', ...cluster.addresses, '--cluster-replicas', '1', '--cluster-yes'], { timeout: 30_000 });
      const ok = (info: string) => /^cluster_state:ok/m.test(info) && /^cluster_slots_ok:16384/m.test(info);
      // Replicas are told whom to follow after the slots are assigned: wait until that has spread too.
      await waitFor(async () => (await cluster.everyNode(ok)) && (await cluster.primaries()).length === NODES / 2, 30_000, 'cluster_state:ok');
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

  /** Ports of the nodes that are primaries now (CLUSTER NODES of the first node). */
  async primaries(): Promise<number[]> {
    const client = new Redis(this.nodes[0].port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1 });
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

  /** Kills every node and removes their directories; for afterAll. */
  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop()));
  }

  private async everyNode(check: (clusterInfo: string) => boolean): Promise<boolean> {
    const infos = await Promise.all(
      this.nodes.map(async (node) => {
        const client = new Redis(node.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1 });
        try {
          await client.connect();
          return (await client.call('CLUSTER', 'INFO')) as string;
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
