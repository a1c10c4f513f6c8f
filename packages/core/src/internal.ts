/*
 * What generated catalog modules (and `createCodec`'s run-time classes) need, and applications
 * do not: reached as `core.internal.*` from the package's one entry, so it shares that entry's
 * single copy of the runtime. Not covered by semver for applications.
 */
import { compileCatalog, compileDecoder, NO_ERRORS, specialize, type CompiledCatalog as Compiled, type FrameClassifier as Classifier, type FrameFields as Fields, type FrameReader as Reader, type FrameWriteContext as WriteContext, type FrameWriter as Writer } from "./codec";
import { bindEntry, type BoundEntry as Bound } from "./errors";
import type { WsError } from "./errors";

/**
 * One object, built by a call marked pure, not a namespace re-export: in the built package a
 * re-exported namespace is filled in by a top-level call a bundler must keep, and with it the
 * whole decoding runtime, even in a bundle that imports only a catalog's error classes. Only what
 * generated modules use; the kind classes' table is not here, so a catalog's bundle keeps only the
 * kinds its classes extend.
 *
 * @example
 * ```ts
 * // In a generated module:
 * const compiled = /* @__PURE__ *\/ core.internal.compileCatalog(spec, { classes, readers });
 * ```
 */
export const internal = /* @__PURE__ */ Object.freeze({ bindEntry, compileCatalog, compileDecoder, NO_ERRORS, specialize });

/** The types generated modules name as `core.internal.*`. */
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace internal {
  export type BoundEntry = Bound;
  export type CompiledCatalog<E extends WsError = WsError> = Compiled<E>;
  export type FrameClassifier = Classifier;
  export type FrameFields = Fields;
  export type FrameReader = Reader;
  export type FrameWriteContext = WriteContext;
  export type FrameWriter = Writer;
}
