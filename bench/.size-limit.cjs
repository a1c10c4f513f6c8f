// Size budgets of what browsers download, checked on every `pnpm test` (bench's lint task): a budget
// exceeded fails CI. esbuild bundles and minifies, size-limit gzips. The budgets hold what the runtime
// weighs today, so nothing grows unnoticed; #14's goals (5 KB and 8 KB) are below them, see
// BENCHMARKS.md. The peers carry no budget: they are measured for BENCHMARKS.md's table.
const quiet = (config) => ({ ...config, logLevel: "error" });
const common = { gzip: true, modifyEsbuildConfig: quiet };
module.exports = [
  { name: "@ws-errors/core + one catalog (full codec)", path: "size/core-catalog.js", limit: "10.25 KB", ...common },
  { name: "@ws-errors/core + one catalog's decoder", path: "size/core-decoder.js", limit: "7.65 KB", ...common },
  { name: "@ws-errors/core + one catalog's error classes and guards", path: "size/core-classes.js", limit: "3.2 KB", ...common },
  { name: "@ws-errors/rxjs + one catalog's decoder, beyond rxjs", path: "size/rxjs-catalog.js", ignore: ["rxjs"], limit: "13.55 KB", ...common },
  { name: "rxjs/webSocket (peer)", path: "size/rxjs-websocket.js", ...common },
  { name: "partysocket 1.3.0 (peer)", path: "size/partysocket.js", ...common },
  { name: "reconnecting-websocket 4.4.0 (peer)", path: "size/reconnecting-websocket.js", ...common },
];
