/*
 * What generated catalog modules (and `createCodec`'s run-time classes) need, and applications
 * do not: reached as `core.internal.*` from the package's one entry, so it shares that entry's
 * single copy of the runtime. Not covered by semver for applications.
 */
export { bindEntry, entryOf, fromWire, NO_DETAILS, KIND_CLASSES, type BoundEntry } from "./errors";
export { compileCodec, NO_ERRORS, runtimeClass, type FrameClassifier, type FrameFields, type FrameReader, type FrameWriteContext, type FrameWriter } from "./codec";
