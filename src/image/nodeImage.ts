// The kina node image: where its build context lives and what it is pinned to.
// images/node/versions.json is the single source of truth; it is read at run time so that bumping
// the pin needs no rebuild of kina. Only node: built-ins here, because the CLI imports this early.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface NodeImageDefaults {
  /** Kubernetes version of the base image, e.g. "v1.35.5". */
  kubernetesVersion: string;
  /** Base image repository without tag or digest, e.g. "docker.io/kindest/node". */
  baseImage: string;
  /** Digest the base image is pinned to, "sha256:<64 hex>". */
  baseDigest: string;
  /** Reference kina tags its build with, "kina/node:<k8s version>-kina.<revision>". */
  image: string;
}

export interface BuildArgOverrides {
  baseImage?: string;
  baseDigest?: string;
  /** Must match the base image's /kind/version, or the build fails (see stamp-image). */
  kubernetesVersion?: string;
}

/** Paths inside a node built from this image. */
export const NODE_KUBEADM_CONFIG_PATH = "/kind/kubeadm.conf";
export const NODE_PREP_PATH = "/usr/local/bin/kina-node-prep";
export const NODE_PREP_UNIT = "kina-node-prep.service";
export const NODE_IP_HEAL_PATH = "/usr/local/bin/kina-ip-heal";
export const NODE_VERSION_FILE = "/kina/version";

const VERSIONS_FILE = join("images", "node", "versions.json");
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const KUBE_VERSION = /^v\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

let cachedRoot: string | undefined;
let cachedDefaults: NodeImageDefaults | undefined;

/**
 * The package root: the nearest folder at or above `from` that holds package.json and the node
 * image context. Works from src/image (tsx, vitest) and dist/src/image (the published package,
 * which ships images/ next to dist/).
 */
export function findPackageRoot(from: string): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, VERSIONS_FILE))) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(`kina is installed incompletely: no ${VERSIONS_FILE} above ${from}`);
    }
    dir = parent;
  }
}

function packageRoot(): string {
  cachedRoot ??= findPackageRoot(dirname(fileURLToPath(import.meta.url)));
  return cachedRoot;
}

/** The build context folder handed to `container build`. */
export function nodeImageContextDir(): string {
  return join(packageRoot(), "images", "node");
}

/** Parses and checks versions.json; exported for tests. */
export function parseVersions(text: string, source = VERSIONS_FILE): NodeImageDefaults {
  const bad = (why: string): Error => new Error(`${source}: ${why}`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw bad(`not JSON (${(error as Error).message})`);
  }
  if (typeof raw !== "object" || raw === null) throw bad("expected an object");
  const field = (name: keyof NodeImageDefaults): string => {
    const value = (raw as Record<string, unknown>)[name];
    if (typeof value !== "string" || value === "") throw bad(`"${name}" must be a non-empty string`);
    return value;
  };
  const defaults: NodeImageDefaults = {
    kubernetesVersion: field("kubernetesVersion"),
    baseImage: field("baseImage"),
    baseDigest: field("baseDigest"),
    image: field("image"),
  };
  if (!KUBE_VERSION.test(defaults.kubernetesVersion)) {
    throw bad(`"kubernetesVersion" must look like v1.35.5, not ${defaults.kubernetesVersion}`);
  }
  if (!DIGEST.test(defaults.baseDigest)) throw bad(`"baseDigest" must be sha256:<64 hex digits>`);
  if (/[@:]/.test(defaults.baseImage.replace(/^[^/]+\//, ""))) {
    throw bad(`"baseImage" must have no tag or digest: ${defaults.baseImage}`);
  }
  if (imageRevision(defaults) === "") {
    throw bad(`"image" must be tagged ${defaults.kubernetesVersion}-<revision>, not ${defaults.image}`);
  }
  const also = (raw as Record<string, unknown>).alsoPinned ?? {};
  if (typeof also !== "object" || also === null || Array.isArray(also)) throw bad(`"alsoPinned" must map versions to digests`);
  for (const [version, digest] of Object.entries(also)) {
    if (!KUBE_VERSION.test(version)) throw bad(`"alsoPinned" key must look like v1.35.5, not ${version}`);
    if (typeof digest !== "string" || !DIGEST.test(digest)) throw bad(`"alsoPinned".${version} must be sha256:<64 hex digits>`);
  }
  cachedAlso.set(text, also as Record<string, string>);
  return defaults;
}

// The other pinned versions of the last parsed versions.json, by its text.
const cachedAlso = new Map<string, Record<string, string>>();

/**
 * Every Kubernetes version kina offers, default first: each a kindest/node base pinned by digest
 * and its own kina image tag (`kina/node:<version>-<revision>`, the default's revision).
 */
export function nodeImagePins(): NodeImageDefaults[] {
  const file = join(packageRoot(), VERSIONS_FILE);
  const text = readFileSync(file, "utf8");
  const defaults = parseVersions(text, file);
  const revision = imageRevision(defaults);
  const repo = defaults.image.slice(0, defaults.image.lastIndexOf(":"));
  const others = Object.entries(cachedAlso.get(text) ?? {}).map(([kubernetesVersion, baseDigest]) => ({
    kubernetesVersion,
    baseImage: defaults.baseImage,
    baseDigest,
    image: `${repo}:${kubernetesVersion}-${revision}`,
  }));
  return [defaults, ...others.filter((p) => p.kubernetesVersion !== defaults.kubernetesVersion)];
}

/** The pin for a Kubernetes version (`v1.36.4`), or undefined when kina offers none. */
export function nodeImagePin(kubernetesVersion: string): NodeImageDefaults | undefined {
  return nodeImagePins().find((p) => p.kubernetesVersion === kubernetesVersion);
}

/** The pin whose kina image this is (so imageBuilt knows to build it), or undefined. */
export function pinOfImage(ref: string): NodeImageDefaults | undefined {
  return nodeImagePins().find((p) => p.image === ref);
}

/** "kina.1" from "kina/node:v1.35.5-kina.1"; "" when the tag does not have that shape. */
function imageRevision({ image, kubernetesVersion }: NodeImageDefaults): string {
  const tag = image.slice(image.lastIndexOf(":") + 1);
  const prefix = `${kubernetesVersion}-`;
  return tag.startsWith(prefix) && !tag.includes("/") ? tag.slice(prefix.length) : "";
}

/** The pinned defaults from images/node/versions.json (read once per process). */
export function nodeImageDefaults(): NodeImageDefaults {
  if (!cachedDefaults) {
    const file = join(packageRoot(), VERSIONS_FILE);
    cachedDefaults = parseVersions(readFileSync(file, "utf8"), file);
  }
  return { ...cachedDefaults };
}

/** "kina/node:v1.35.5-kina.1": what `kina build node-image` tags and nodes run by default. */
export function defaultNodeImageRef(): string {
  return nodeImageDefaults().image;
}

/** The pinned base, "docker.io/kindest/node@sha256:…". */
export function baseImageRef(): string {
  const { baseImage, baseDigest } = nodeImageDefaults();
  return `${baseImage}@${baseDigest}`;
}

/** The image's tag, "v1.35.5-kina.1" (also its org.opencontainers.image.version label). */
export function nodeImageVersion(): string {
  const { image } = nodeImageDefaults();
  return image.slice(image.lastIndexOf(":") + 1);
}

/**
 * `container build` arguments for the node image: ["--build-arg", "BASE_IMAGE=…", …]. Every build
 * arg of images/node/Dockerfile is passed, so the Dockerfile's defaults never decide anything.
 */
export function buildArgsFor(overrides: BuildArgOverrides = {}): string[] {
  const defaults = nodeImageDefaults();
  const baseDigest = overrides.baseDigest ?? defaults.baseDigest;
  if (!DIGEST.test(baseDigest)) {
    throw new Error(`base image digest must be sha256:<64 hex digits>, not ${baseDigest}`);
  }
  const kubernetesVersion = overrides.kubernetesVersion ?? defaults.kubernetesVersion;
  const args: Record<string, string> = {
    BASE_IMAGE: overrides.baseImage ?? defaults.baseImage,
    BASE_DIGEST: baseDigest,
    KUBERNETES_VERSION: kubernetesVersion,
    KINA_IMAGE_VERSION: `${kubernetesVersion}-${imageRevision(defaults)}`,
  };
  return Object.entries(args).flatMap(([name, value]) => ["--build-arg", `${name}=${value}`]);
}

/** Parses /kina/version (KEY=value lines named like the Dockerfile's build args). */
export function parseNodeVersionFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) values[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return values;
}

/** The same build args as a record (what the runtime adapter's `build` takes). */
export function buildArgsRecord(overrides: BuildArgOverrides = {}): Record<string, string> {
  const flat = buildArgsFor(overrides);
  const out: Record<string, string> = {};
  for (let i = 1; i < flat.length; i += 2) {
    const pair = flat[i]!;
    const eq = pair.indexOf("=");
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** What resolveConfig needs to know about the pinned node images: the default and every offered version. */
export function pinnedImageOptions(): { defaultImage: string; defaultKubernetesVersion: string; offeredVersions: Record<string, string> } {
  const defaults = nodeImageDefaults();
  return {
    defaultImage: defaults.image,
    defaultKubernetesVersion: defaults.kubernetesVersion,
    offeredVersions: Object.fromEntries(nodeImagePins().map((p) => [p.kubernetesVersion, p.image])),
  };
}
