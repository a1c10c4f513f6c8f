/*
 * What generated catalog modules (and `createCodec`'s run-time classes) need, and applications
 * do not: reached as `core.internal.*` from the package's one entry, so it shares that entry's
 * single copy of the runtime. Not covered by semver for applications.
 */
import {
  compileCatalog,
  compileDecoder,
  NO_ERRORS,
  specialize,
  type CatalogCompilation,
  type ErrorFrameClassifier,
  type ErrorFrameFields,
  type ErrorFrameReader,
  type ErrorFrameWriteContext,
  type ErrorFrameWriter,
} from "./codec";
import { bindEntry, type EntryBinding, type WsError } from "./errors";

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
// `bindEntry` is also a top-level export, which modules generated now call; it stays here for
// modules generated before.
export const internal = /* @__PURE__ */ Object.freeze({ bindEntry, compileCatalog, compileDecoder, NO_ERRORS, specialize });

/*
 * The types generated modules name as `core.internal.*`. Each is declared under another name: the
 * published .d.ts is one bundled file, where an alias of the same name as its target would refer
 * to itself.
 */
export declare namespace internal {
  export type BoundEntry = EntryBinding;
  export type CompiledCatalog<E extends WsError = WsError> = CatalogCompilation<E>;
  export type FrameClassifier = ErrorFrameClassifier;
  export type FrameFields = ErrorFrameFields;
  export type FrameReader = ErrorFrameReader;
  export type FrameWriteContext = ErrorFrameWriteContext;
  export type FrameWriter = ErrorFrameWriter;
}
