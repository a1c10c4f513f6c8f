export { redisState, StateTimeoutError, type RedisStateOptions } from "./redis-state";
