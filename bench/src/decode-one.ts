import { collective2 } from "@ws-errors/core/catalogs/collective2";
import { do_not_optimize, measure } from "mitata";

/*
 * Run in a process of its own so the figure is not shaped by what ran before: after the stream
 * suite, the shared construction path has seen every class of four catalogs.
 */
const frame = JSON.parse(
  JSON.stringify(
    collective2.encodeFrame(new collective2.classes["too-many-requests"]!({ message: "Rate limit exceeded", requestId: "r-1" }), { now: () => 0 }),
  ),
) as object;
class PlainError extends Error {
  code = "TOO_MANY_REQUESTS";
}
const one = await measure(() => do_not_optimize(collective2.decodeFrame(frame)), { min_cpu_time: 500e6 });
const plain = await measure(
  () => do_not_optimize({ name: "TooManyRequestsError", code: "TOO_MANY_REQUESTS", message: "Rate limit exceeded", requestId: "r-1", layer: "frame" }),
  { min_cpu_time: 500e6 },
);
const stack = await measure(() => do_not_optimize(new PlainError("Rate limit exceeded")), { min_cpu_time: 500e6 });
// Every frame-layer entry of the catalog in turn: the construction sites see all its classes.
const all = collective2.catalog.errors
  .filter((e) => e.frame)
  .map((e) => JSON.parse(JSON.stringify(collective2.encodeFrame(new collective2.classes[e.id]!({ requestId: "r-1" }), { now: () => 0 }))) as object);
let i = 0;
const mixed = await measure(() => do_not_optimize(collective2.decodeFrame(all[i++ % all.length])), { min_cpu_time: 500e6 });
process.stdout.write(JSON.stringify({ one: [one.p50, one.p25, one.p75], mixed: [mixed.p50, mixed.p25, mixed.p75], plain: plain.p50, stack: stack.p50 }));
