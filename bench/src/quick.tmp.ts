import { pooledReceiveRounds } from "./raw-client";
import { median } from "./stats";
const which = (process.argv[2] ?? "node") as "node" | "rxjs";
const n = Number(process.argv[3] ?? 14);
const [a, b, c] = pooledReceiveRounds(which, n) as number[][];
const r = a!.map((x, i) => x / b![i]!);
console.log(which, "median ratio", median(r).toFixed(3), c ? "vs rxjs/webSocket " + median(a!.map((x, i) => x / c[i]!)).toFixed(3) : "");
