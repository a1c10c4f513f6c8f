import type { Condition, Json } from "./spec";

/** A dot path split once at codec build time; `[]` is the value itself. */
export type Path = readonly string[];

export function parsePath(path: string | undefined): Path | undefined {
  if (path === undefined) return undefined;
  return path === "" ? [] : path.split(".");
}

/**
 * Reads own properties only: a frame's `__proto__` or `constructor` key can never lead the read
 * into a prototype, and nothing inherited is mistaken for wire data.
 */
export function getPath(value: unknown, path: Path): unknown {
  let current = value;
  for (let i = 0; i < path.length; i++) {
    if (typeof current !== "object" || current === null) return undefined;
    const key = path[i] as string;
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/**
 * Whether a path segment indexes an array (`"3"` in `[join_ref, ref, topic, event, payload]`):
 * how catalog paths tell frames that are JSON arrays from objects.
 *
 * @example
 * ```ts
 * isIndex("3"); // true
 * isIndex("status"); // false
 * ```
 */
export const isIndex = (segment: string | undefined): boolean => segment !== undefined && /^\d+$/.test(segment);

/**
 * Writes with `defineProperty`, so keys such as `__proto__` become plain data and never change an
 * object's prototype. A container made on the way is an array where the next segment is an index.
 */
export function setPath(target: Record<string, unknown>, path: Path, value: unknown): void {
  let current = target;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] as string;
    let next = Object.hasOwn(current, key) ? current[key] : undefined;
    if (typeof next !== "object" || next === null) {
      next = isIndex(path[i + 1]) ? [] : {};
      define(current, key, next);
    }
    current = next as Record<string, unknown>;
  }
  const last = path[path.length - 1];
  if (last !== undefined) define(current, last, value);
}

export function define(target: Record<string, unknown>, key: string, value: unknown): void {
  // Only `__proto__` is special on assignment; every other key is a plain own property.
  if (key === "__proto__") Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

export function jsonEquals(a: unknown, b: Json | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Compiles a frame form's conditions into one predicate over an object: what catalogs with `when`
 * conditions, or matchers the generator could not specialize, pass to the codec as `conditions`.
 *
 * @example
 * ```ts
 * const isError = compileConditions([{ path: "type", equals: "error" }, { path: "code", exists: true }]);
 * isError({ type: "error", code: 7 }); // true
 * ```
 */
export function compileConditions(conditions: readonly Condition[]): (value: object) => boolean {
  const tests = conditions.map((condition) => {
    const path = parsePath(condition.path) ?? [];
    return (value: object): boolean => {
      const present = path.length === 0 || hasPath(value, path);
      if (condition.exists !== undefined && present !== condition.exists) return false;
      if (!present) return condition.equals === undefined;
      const found = getPath(value, path);
      if (condition.equals !== undefined && !jsonEquals(found, condition.equals)) return false;
      if (condition.notEquals !== undefined && jsonEquals(found, condition.notEquals)) return false;
      return true;
    };
  });
  if (tests.length === 1) return tests[0] as (value: object) => boolean;
  return (value) => {
    for (const test of tests) if (!test(value)) return false;
    return true;
  };
}

function hasPath(value: unknown, path: Path): boolean {
  let current = value;
  for (const key of path) {
    if (typeof current !== "object" || current === null || !Object.hasOwn(current, key)) return false;
    current = (current as Record<string, unknown>)[key];
  }
  return true;
}
