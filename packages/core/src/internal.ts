/*
 * What generated catalog modules (and `createCodec`'s run-time classes) need, and applications
 * do not: reached as `core.internal.*` from the package's one entry, so it shares that entry's
 * single copy of the runtime. Not covered by semver for applications.
 */
// Only what generated modules use: a bundler keeps everything this namespace names (it is one
// object to a bundle), so the kind classes' table is not here: a catalog's bundle keeps only the
// kinds its classes extend.
export { bindEntry, type BoundEntry } from "./errors";
export { compileCatalog, compileDecoder, NO_ERRORS, type CompiledCatalog, type FrameClassifier, type FrameFields, type FrameReader, type FrameWriteContext, type FrameWriter } from "./codec";
