/*
 * Real Redis processes for tests and demos, started from Debian's binaries on free loopback ports:
 * a single server, a cluster of primaries and replicas, and a Sentinel-managed primary.
 */
export { freePort, type RedisServer, redisServerAvailable, startRedisServer, type StartRedisOptions } from "./testing/server";
export { type RedisCluster, startRedisCluster } from "./testing/cluster";
export { type RedisSentinels, startRedisSentinels } from "./testing/sentinel";
