import { inProcesses } from "./stats";
import { median } from "./stats";
const which = process.argv[2]!;
const n = process.argv[3] ?? "14";
const pooled: number[][] = [];
for (const samples of inProcesses<number[][]>("./receive.tmp.ts", which, n)) samples.forEach((v, k) => (pooled[k] ??= []).push(...v));
const [a, b] = pooled as [number[], number[]];
console.log(which, "median ratio", median(a.map((x, i) => x / b[i]!)).toFixed(3));
