#!/usr/bin/env node
// The `tsc` that vitest's type tests run (vitest.shared.ts, `typecheck.checker`), without the
// incremental state vitest asks for (`--incremental --tsBuildInfoFile` in vitest's own folder, one
// file for every package of the workspace). With it, type tests passed or failed on a stale state:
// after a source file changed back, a test of the types it exports (through a re-export) still
// failed, in a per-package file as in the shared one. A type test must see the code as it is.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { resolve } from "node:path";

const args = process.argv.slice(2);
const at = args.indexOf("--tsBuildInfoFile");
if (at >= 0) args.splice(at, 2);
const incremental = args.indexOf("--incremental");
if (incremental >= 0) args.splice(incremental, 1);
const tsc = createRequire(resolve("package.json")).resolve("typescript/bin/tsc");
spawn(process.execPath, [tsc, ...args], { stdio: "inherit" }).on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
