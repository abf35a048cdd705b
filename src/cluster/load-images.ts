// `kina load image` / `kina load image-archive`: images from the Mac's `container` image store (or
// from tar files) into the containerd of a cluster's nodes, as kind's `load docker-image` and
// `load image-archive` do (reference/kind.md §6): one export, streamed to every target node at once,
// nodes that already hold the same digest skipped.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { UsageError } from "../config/resolve.js";
import type { ResolvedConfig } from "../config/resolved.js";
import { AbortedError, RuntimeError, type ContainerCli, type Image } from "../runtime/index.js";
import { openCluster } from "./open.js";
import { storedConfig } from "./operations.js";

/** Where the outcome lines and progress go; the CLI passes stdout and stderr writers. */
export interface LoadIo {
  /** One line per node and image: the outcome (stdout). */
  outcome: (line: string) => void;
  /** Progress of anything slow (stderr). */
  progress: (line: string) => void;
}

export interface LoadTarget {
  cluster: string;
  /** Node names from `--nodes`; empty = every node of the cluster. */
  nodes: readonly string[];
  env: NodeJS.ProcessEnv;
}

export type NodeOutcome =
  | { node: string; status: "loaded"; images: { name: string; digest: string }[] }
  | { node: string; status: "present"; digest: string }
  | { node: string; status: "failed"; error: string };

/** kindest/node's containerd namespace for everything the kubelet sees (CRI). */
const K8S_NAMESPACE = "k8s.io";
// kina-node-prep (images/node/files/usr/local/bin/kina-node-prep) writes the CRI snapshotter into
// this drop-in on every node; ctr does not read containerd's config, so the import has to name it
// (kind reads it from `containerd config dump` for the same reason).
const SNAPSHOTTER_DROPIN = "/etc/containerd/conf.d/kina-snapshotter.toml";
const CONTAINERD_CONFIG = "/etc/containerd/config.toml";
/** ctr's own default, used when neither file names one. */
const DEFAULT_SNAPSHOTTER = "overlayfs";

export class NodesNotRunningError extends RuntimeError {
  constructor(cluster: string, nodes: { name: string; state: string }[]) {
    const list = nodes.map((n) => `${n.name} (${n.state})`).join(", ");
    const allStopped = nodes.every((n) => n.state === "stopped");
    super(
      `cluster "${cluster}" has node VMs that are not running: ${list}`,
      allStopped ? `start it with \`kina start ${cluster}\`` : `\`kina status ${cluster}\` shows what happened; \`kina start ${cluster}\` starts stopped nodes`,
    );
  }
}

export class ImagesMissingError extends RuntimeError {
  constructor(refs: string[]) {
    const first = refs[0]!;
    super(
      `${refs.length === 1 ? "image" : "images"} not present in the local \`container\` image store: ${refs.join(", ")}; nothing was loaded`,
      `pull it with \`container image pull ${first}\` or build it with \`container build -t ${first} .\``,
    );
  }
}

export class ImagePlatformError extends RuntimeError {
  constructor(ref: string, wanted: string, available: string[]) {
    super(
      `image ${ref} has no ${wanted} variant (available: ${available.join(", ") || "none"}); the nodes run ${wanted}; nothing was loaded`,
      `pull that platform with \`container image pull --platform ${wanted} ${ref}\``,
    );
  }
}

export class LoadFailedError extends RuntimeError {
  constructor(failures: { node: string; what: string; error: string }[]) {
    const first = failures[0]!;
    super(
      `loading failed on ${failures.map((f) => `${f.node} (${f.what}: ${f.error})`).join("; ")}`,
      `check the node with \`container exec ${first.node} ctr -n ${K8S_NAMESPACE} images ls\`; nodes that printed "loaded" have the image`,
    );
  }
}

interface TargetNode {
  name: string;
  /** `linux/arm64`: what the node's containerd unpacks. */
  platform: string;
}

/**
 * The nodes to load into: every node of the cluster, or the `--nodes` subset (an unknown name is a
 * usage error listing the cluster's nodes). Every target VM must be running.
 */
export async function targetNodes(runtime: ContainerCli, target: LoadTarget): Promise<TargetNode[]> {
  const store = await openCluster(target.cluster, target.env);
  const config: ResolvedConfig = storedConfig(store);
  const all = config.nodes.map((n) => n.name);
  const unknown = target.nodes.filter((n) => !all.includes(n));
  if (unknown.length > 0) {
    throw new UsageError(
      `--nodes: unknown node${unknown.length === 1 ? "" : "s"} ${unknown.map((n) => JSON.stringify(n)).join(", ")}; cluster "${target.cluster}" has: ${all.join(", ")}`,
    );
  }
  const wanted = target.nodes.length > 0 ? all.filter((n) => target.nodes.includes(n)) : all;
  const vms = new Map((await runtime.list({ all: true })).map((c) => [c.configuration.id, c]));
  const notRunning = wanted
    .map((name) => ({ name, state: vms.get(name)?.status.state ?? "missing" }))
    .filter((n) => n.state !== "running");
  if (notRunning.length > 0) throw new NodesNotRunningError(target.cluster, notRunning);
  return wanted.map((name) => {
    const platform = vms.get(name)?.configuration.platform;
    return { name, platform: platform ? `${platform.os}/${platform.architecture}` : hostPlatform() };
  });
}

/** `container run` defaults to the Mac's architecture (reference §13). */
function hostPlatform(): string {
  return `linux/${process.arch === "x64" ? "amd64" : process.arch}`;
}

function platformsOf(image: Image): string[] {
  return image.variants.map((v) => `${v.platform.os}/${v.platform.architecture}`);
}

/**
 * Looks every reference up in the local image store before anything is copied: all missing ones
 * are named in one error. Duplicates (two spellings of one image) are loaded once.
 */
export async function localImages(runtime: ContainerCli, refs: readonly string[], platform: string): Promise<Image[]> {
  const found = await Promise.all(refs.map(async (ref) => ({ ref, image: await runtime.tryImageInspect(ref) })));
  const missing = found.filter((f) => f.image === undefined).map((f) => f.ref);
  if (missing.length > 0) throw new ImagesMissingError(missing);
  const unique = new Map<string, Image>();
  for (const { ref, image } of found) {
    if (!platformsOf(image!).includes(platform)) throw new ImagePlatformError(ref, platform, platformsOf(image!));
    unique.set(image!.configuration.name, image!);
  }
  return [...unique.values()];
}

/** The image's index digest in the local store (reference §4.3: `configuration.descriptor`). */
function digestOf(image: Image): string {
  return image.configuration.descriptor.digest;
}

/**
 * Label kina puts on every image it imports: the local index digest it came from. `image save
 * --platform` writes a new, smaller index whenever the image has other platforms (Containerization
 * `ImageStore+Export.swift` createIndex), so the digest ctr then shows is not the local one; the
 * label still says which local image the node holds.
 */
export const SOURCE_DIGEST_LABEL = "io.kina.source-digest";

export interface NodeImage {
  digest: string;
  labels: Record<string, string>;
}

/**
 * `ctr images ls` text → REF → { DIGEST, LABELS }. Columns REF TYPE DIGEST SIZE PLATFORMS LABELS;
 * SIZE holds a space ("10.0 MiB"), so LABELS is the last word and DIGEST the third.
 */
export function parseCtrImages(text: string): Map<string, NodeImage> {
  const images = new Map<string, NodeImage>();
  for (const line of text.split("\n").slice(1)) {
    const words = line.trim().split(/\s+/);
    const [ref, , digest] = words;
    if (!ref || !digest?.startsWith("sha256:")) continue;
    const labels: Record<string, string> = {};
    const last = words.at(-1) ?? "-";
    if (words.length > 5 && last !== "-") {
      for (const pair of last.split(",")) {
        const eq = pair.indexOf("=");
        if (eq > 0) labels[pair.slice(0, eq)] = pair.slice(eq + 1);
      }
    }
    images.set(ref, { digest, labels });
  }
  return images;
}

/** Whether the node holds `name` as this local image: same digest, or imported by kina from it. */
export function holdsImage(images: Map<string, NodeImage>, name: string, digest: string): boolean {
  const found = images.get(name);
  return found !== undefined && (found.digest === digest || found.labels[SOURCE_DIGEST_LABEL] === digest);
}

async function nodeImages(runtime: ContainerCli, node: string): Promise<Map<string, NodeImage>> {
  const result = await runtime.exec(node, ["ctr", `--namespace=${K8S_NAMESPACE}`, "images", "ls"]);
  if (result.exitCode !== 0) {
    throw new RuntimeError(`could not list the images on ${node}: ${lastLine(result.stderr)}`, `is containerd running? \`container exec ${node} crictl info\``);
  }
  return parseCtrImages(result.stdout);
}

/** The CRI snapshotter the node's containerd uses, so the import unpacks where the kubelet looks. */
async function nodeSnapshotter(runtime: ContainerCli, node: string): Promise<string> {
  for (const file of [SNAPSHOTTER_DROPIN, CONTAINERD_CONFIG]) {
    const result = await runtime.exec(node, ["cat", file]);
    if (result.exitCode !== 0) continue;
    const found = /^\s*snapshotter\s*=\s*["']([a-z0-9_-]+)["']/m.exec(result.stdout);
    if (found) return found[1]!;
  }
  return DEFAULT_SNAPSHOTTER;
}

/** `unpacking docker.io/library/app:1 (sha256:…)...done` lines of `ctr images import`. */
function importedImages(stdout: string): { name: string; digest: string }[] {
  const out: { name: string; digest: string }[] = [];
  for (const m of stdout.matchAll(/^unpacking (\S+) \((sha256:[0-9a-f]+)\)/gm)) out.push({ name: m[1]!, digest: m[2]! });
  return out;
}

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1)?.replace(/^ctr: /, "") || "no error output";
}

/**
 * Streams the tar file into `ctr images import -` on one node. kind's flags minus
 * `--all-platforms`: the Mac's store usually holds one platform of an image, and ctr would then
 * refuse the archive for the blobs of the others (Apple's `container k8s load-image` imports the
 * same way, reference §9.1); `--digests` is left out too, it only adds `import-…@sha256` names.
 */
async function importArchive(
  runtime: ContainerCli,
  node: string,
  archive: string,
  sourceDigest?: string,
): Promise<{ name: string; digest: string }[]> {
  const snapshotter = await nodeSnapshotter(runtime, node);
  const label = sourceDigest !== undefined ? [`--label=${SOURCE_DIGEST_LABEL}=${sourceDigest}`] : [];
  const result = await runtime.exec(
    node,
    ["ctr", `--namespace=${K8S_NAMESPACE}`, "images", "import", `--snapshotter=${snapshotter}`, ...label, "-"],
    { stdin: { file: archive } },
  );
  if (result.exitCode !== 0) throw new Error(lastLine(result.stderr));
  return importedImages(result.stdout);
}

/** Every node at once; one node's failure does not stop the others (Ctrl-C stops them all). */
async function onEveryNode(nodes: readonly string[], work: (node: string) => Promise<NodeOutcome>): Promise<NodeOutcome[]> {
  return Promise.all(
    nodes.map((node) =>
      work(node).catch((error: unknown): NodeOutcome => {
        if (error instanceof AbortedError) throw error;
        return { node, status: "failed", error: error instanceof Error ? error.message : String(error) };
      }),
    ),
  );
}

function reportOutcomes(io: LoadIo, what: string, outcomes: NodeOutcome[]): void {
  for (const o of outcomes) {
    if (o.status === "present") io.outcome(`${o.node}: ${what} already present (${o.digest})`);
    else if (o.status === "loaded") {
      const [only] = o.images;
      if (o.images.length === 1 && only!.name === what) io.outcome(`${o.node}: ${what} loaded (${only!.digest})`);
      else io.outcome(`${o.node}: ${what} loaded${o.images.length ? `: ${o.images.map((i) => `${i.name} (${i.digest})`).join(", ")}` : ""}`);
    } else io.outcome(`${o.node}: ${what} failed: ${o.error}`);
  }
}

function failuresOf(what: string, outcomes: NodeOutcome[]): { node: string; what: string; error: string }[] {
  return outcomes.flatMap((o) => (o.status === "failed" ? [{ node: o.node, what, error: o.error }] : []));
}

/** `kina load image IMAGE…`: saved once per image, imported on every node that lacks its digest. */
export async function loadImages(runtime: ContainerCli, refs: readonly string[], target: LoadTarget, io: LoadIo): Promise<NodeOutcome[]> {
  const nodes = await targetNodes(runtime, target);
  const platform = nodes[0]!.platform;
  const images = await localImages(runtime, refs, platform);
  const scratch = await mkdtemp(join(tmpdir(), "kina-load-"));
  const all: NodeOutcome[] = [];
  const failures: { node: string; what: string; error: string }[] = [];
  try {
    for (const image of images) {
      const name = image.configuration.name;
      const digest = digestOf(image);
      const present = await Promise.all(nodes.map(async (n) => ({ node: n.name, has: holdsImage(await nodeImages(runtime, n.name), name, digest) })));
      const missing = present.filter((p) => !p.has).map((p) => p.node);
      let loaded: NodeOutcome[] = [];
      if (missing.length > 0) {
        // Saved to a file once, as kind does (`docker save -o`), rather than tee'd from stdout: every
        // node reads its own stream at its own pace, and a failed save starts no partial import.
        const archive = join(scratch, `${all.length}.tar`);
        io.progress(`Saving ${name} (${digest}) from the local image store ...`);
        await runtime.imageSave([name], { output: archive, platform });
        loaded = await onEveryNode(missing, async (node) => {
          io.progress(`  importing ${name} into ${node} ...`);
          await importArchive(runtime, node, archive, digest);
          // Reported with the local digest, the one `already present` compares (see SOURCE_DIGEST_LABEL).
          return { node, status: "loaded", images: [{ name, digest }] };
        });
      }
      const outcomes = nodes.map(
        (n) => loaded.find((o) => o.node === n.name) ?? ({ node: n.name, status: "present", digest } satisfies NodeOutcome),
      );
      reportOutcomes(io, name, outcomes);
      failures.push(...failuresOf(name, outcomes));
      all.push(...outcomes);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  if (failures.length > 0) throw new LoadFailedError(failures);
  return all;
}

/** `kina load image-archive FILE…`: each tar streamed to every target node (no presence check, as kind). */
export async function loadArchives(runtime: ContainerCli, files: readonly string[], target: LoadTarget, io: LoadIo): Promise<NodeOutcome[]> {
  const nodes = await targetNodes(runtime, target);
  const all: NodeOutcome[] = [];
  const failures: { node: string; what: string; error: string }[] = [];
  for (const file of files) {
    const outcomes = await onEveryNode(
      nodes.map((n) => n.name),
      async (node) => {
        io.progress(`  importing ${basename(file)} into ${node} ...`);
        return { node, status: "loaded", images: await importArchive(runtime, node, file) };
      },
    );
    reportOutcomes(io, file, outcomes);
    failures.push(...failuresOf(file, outcomes));
    all.push(...outcomes);
  }
  if (failures.length > 0) throw new LoadFailedError(failures);
  return all;
}
