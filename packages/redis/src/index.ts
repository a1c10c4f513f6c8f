export { type RedisLike, redisState, StateTimeoutError, type RedisStateOptions } from "./redis-state";
