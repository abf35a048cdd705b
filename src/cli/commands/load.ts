// `kina load image|docker-image IMAGE…` and `kina load image-archive FILE…`: argument checks and
// printing; the work is src/cluster/load-images.ts.

import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { UsageError } from "../../config/resolve.js";
import { EXIT_OK, EXIT_SIGINT, EXIT_SIGTERM, type CommandContext } from "../context.js";

export interface LoadArgs {
  cluster: string;
  /** `--nodes a,b` (repeatable) as given; undefined = every node. */
  nodes: readonly string[] | undefined;
}

/** `--nodes a,b --nodes c` → [a, b, c]; `--nodes` without names, or an empty entry, is a usage error. */
export function parseNodeList(values: readonly string[] | undefined): string[] {
  if (values === undefined) return [];
  const names = values.flatMap((v) => String(v).split(",")).map((n) => n.trim());
  if (names.length === 0 || names.some((n) => n === "")) throw new UsageError(`--nodes takes node names separated by commas, e.g. --nodes dev-worker,dev-worker2; got "${values.join(",")}"`);
  return [...new Set(names)];
}

/** Every archive must be a readable file, checked before anything runs (exit 2 naming the path). */
async function assertReadableFiles(files: readonly string[]): Promise<string[]> {
  const paths: string[] = [];
  for (const file of files) {
    const path = resolve(file);
    let isFile = false;
    try {
      isFile = (await stat(path)).isFile();
    } catch {
      throw new UsageError(`image archive ${file}: no such file`);
    }
    if (!isFile) throw new UsageError(`image archive ${file}: not a file (give a tar written by \`container image save -o FILE\` or \`docker save\`)`);
    try {
      await access(path, constants.R_OK);
    } catch {
      throw new UsageError(`image archive ${file}: not readable (permission denied)`);
    }
    paths.push(path);
  }
  return paths;
}

async function runtimeFor(c: CommandContext) {
  const { ContainerCli } = await import("../../runtime/container.js");
  return new ContainerCli({ env: c.io.env, signal: c.signal });
}

function io(c: CommandContext) {
  return { outcome: c.out, progress: c.say };
}

/** Ctrl-C / SIGTERM end the load with 130 / 143 like every other kina command; nothing is left half-written on the host. */
async function interruptible(c: CommandContext, work: () => Promise<unknown>): Promise<number> {
  try {
    await work();
    return EXIT_OK;
  } catch (error) {
    if (!c.signal.aborted) throw error;
    const reason = c.signal.reason as { signalName?: string } | undefined;
    c.say(`Interrupted: nodes that printed "loaded" have the image; run the same command again for the rest.`);
    return reason?.signalName === "SIGTERM" ? EXIT_SIGTERM : EXIT_SIGINT;
  }
}

export async function loadImageCommand(c: CommandContext, images: readonly string[], args: LoadArgs): Promise<number> {
  const nodes = parseNodeList(args.nodes);
  const { loadImages } = await import("../../cluster/load-images.js");
  const refs = [...new Set(images.map(String))];
  c.say(`Loading ${refs.length === 1 ? "image" : `${refs.length} images`} into cluster "${args.cluster}" ...`);
  const runtime = await runtimeFor(c);
  return interruptible(c, () => loadImages(runtime, refs, { cluster: args.cluster, nodes, env: c.io.env }, io(c)));
}

export async function loadArchiveCommand(c: CommandContext, files: readonly string[], args: LoadArgs): Promise<number> {
  const nodes = parseNodeList(args.nodes);
  const paths = await assertReadableFiles(files.map(String));
  const { loadArchives } = await import("../../cluster/load-images.js");
  c.say(`Loading ${paths.length === 1 ? "1 archive" : `${paths.length} archives`} into cluster "${args.cluster}" ...`);
  const runtime = await runtimeFor(c);
  return interruptible(c, () => loadArchives(runtime, paths, { cluster: args.cluster, nodes, env: c.io.env }, io(c)));
}
