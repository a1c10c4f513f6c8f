#!/usr/bin/env node
import { runCli } from "./cli";

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`ws-errors: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
