#!/usr/bin/env node
import { createRequire } from "node:module";

// TypeScript (under ts-morph) is 9 MB of CommonJS that V8 compiles on every start; a code cache
// in the OS temp folder saves ~90 ms a run. Node 20 has no built-in compile cache for it.
// DISABLE_V8_COMPILE_CACHE=1 turns it off.
createRequire(import.meta.url)("v8-compile-cache");

// EPIPE on stdout (`ws-errors docs | head`) means the reader is done, not that we failed.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

const { runCli } = await import("./cli");
runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`ws-errors: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
