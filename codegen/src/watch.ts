import { watch, type FSWatcher } from "node:fs";
import { dirname, basename } from "node:path";
import { generateOnce, type CliIo } from "./generate-and-write";
import type { Project } from "./project";

/**
 * Regenerates on every save of a catalog, in this process so ts-morph stays loaded. An invalid
 * intermediate save prints its problems and leaves the last good output in place, because
 * generation writes nothing unless every catalog is valid. Resolves on SIGINT/SIGTERM.
 */
export function watchCatalogs(project: Project, io: CliIo, signal?: AbortSignal): Promise<number> {
  const { files } = project;
  generateOnce(project, false, io);
  const folders = new Map<string, Set<string>>();
  for (const file of files) {
    const names = folders.get(dirname(file)) ?? new Set<string>();
    names.add(basename(file));
    folders.set(dirname(file), names);
  }
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    clearTimeout(timer);
    // Editors save in bursts (truncate, write, rename): one run after the burst settles.
    timer = setTimeout(() => {
      const started = performance.now();
      const code = generateOnce(project, false, io);
      io.stdout(`ws-errors watch: ${code === 0 ? "regenerated" : "kept the last good output"} in ${Math.round(performance.now() - started)} ms\n`);
    }, 25);
  };
  const watchers: FSWatcher[] = [...folders].map(([folder, names]) =>
    watch(folder, (_event, name) => {
      if (name !== null && names.has(name.toString())) schedule();
    }),
  );
  io.stdout(`ws-errors watch: watching ${files.length} catalog${files.length === 1 ? "" : "s"}\n`);
  return new Promise((resolve) => {
    const stop = () => {
      clearTimeout(timer);
      for (const w of watchers) w.close();
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve(0);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    signal?.addEventListener("abort", stop, { once: true });
  });
}
