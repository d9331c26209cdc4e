/** cluster-key-slot (ioredis's own dependency) ships no types: the Redis Cluster slot (0-16383) of a key, hash tags included. */
declare module 'cluster-key-slot' {
  function calculateSlot(key: string | Buffer): number;
  export = calculateSlot;
}
