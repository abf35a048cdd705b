// The local image store: reference normalization like ClientImage.normalizeReference, which
// references count as kindest/node-style node images, pulls (with a registry 404 for references
// containing `does-not-exist`), and the `ImageResource` JSON of reference §4.3.
import { createHash } from "node:crypto";
import { CzError } from "./errors.mjs";
import { isoNow } from "./json.mjs";
import { HOST_ARCH } from "./platform.mjs";

const NODE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

function sha256(text) {
  return createHash("sha256").update(text).digest("hex");
}

/** `kindest/node:v1` → `docker.io/kindest/node:v1`, `alpine` → `docker.io/library/alpine:latest`. */
export function normalizeReference(reference) {
  if (!reference || /\s/.test(reference) || /[A-Z]/.test(reference.split("@")[0].split(":")[0].split("/").pop())) {
    throw new CzError("invalidArgument", `invalid reference ${reference}`);
  }
  const [namePart, digest] = reference.split("@");
  const parts = namePart.split("/");
  const hasRegistry = parts.length > 1 && (parts[0].includes(".") || parts[0].includes(":") || parts[0] === "localhost");
  let name = hasRegistry ? namePart : parts.length === 1 ? `docker.io/library/${namePart}` : `docker.io/${namePart}`;
  const lastSegment = name.split("/").pop();
  if (!digest && !lastSegment.includes(":")) name = `${name}:latest`;
  return digest ? `${name}@${digest}` : name;
}

/** The short form shown by `image list -q`: default registry (and `library/`) dropped. */
export function denormalizeReference(reference) {
  return reference.replace(/^docker\.io\/library\//, "").replace(/^docker\.io\//, "");
}

/** Splits a normalized reference into repository name and tag for tables. */
export function nameAndTag(reference) {
  const [withoutDigest] = reference.split("@");
  const slash = withoutDigest.lastIndexOf("/");
  const colon = withoutDigest.lastIndexOf(":");
  if (colon > slash) return { name: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1) };
  return { name: withoutDigest, tag: "<none>" };
}

export function isNodeReference(reference) {
  return reference.includes("kindest/node") || reference.includes("kina/node");
}

function registryHost(reference) {
  const host = reference.split("/")[0];
  return host === "docker.io" ? "registry-1.docker.io" : host;
}

/** An image record as the store keeps it; `seed` makes digests deterministic per content. */
export function makeImage(reference, { node, source, seed, platform }) {
  // Built/loaded images are identified by content (all tags of one build share a digest);
  // pulled ones by reference.
  const identity = seed !== undefined ? `seed:${seed}` : `ref:${reference}`;
  const indexHex = sha256(`index:${identity}`);
  const manifestHex = sha256(`manifest:${identity}`);
  const layerHex = sha256(`layer:${identity}`);
  const config = node
    ? {
        Entrypoint: ["/usr/local/bin/entrypoint", "/sbin/init"],
        Env: [`PATH=${NODE_PATH}`, "container=docker"],
        StopSignal: "SIGRTMIN+3",
      }
    : { Cmd: ["/bin/sh"], Env: [`PATH=${NODE_PATH}`] };
  return {
    reference,
    node: Boolean(node),
    source,
    digest: `sha256:${indexHex}`,
    manifestDigest: `sha256:${manifestHex}`,
    size: node ? 478_000_000 : 3_600_000,
    created: isoNow(),
    platform: platform ?? { architecture: HOST_ARCH, os: "linux" },
    config,
    diffIds: [`sha256:${layerHex}`],
  };
}

/** Finds a local image by any spelling of its reference. */
export function findImage(state, reference) {
  let normalized;
  try {
    normalized = normalizeReference(reference);
  } catch {
    return null;
  }
  return state.images[normalized] ?? null;
}

/** `image pull` / the fetch step of `run`: local if present, else "download" it. */
export function fetchImage(state, reference) {
  const normalized = normalizeReference(reference);
  if (state.images[normalized]) return state.images[normalized];
  if (normalized.includes("does-not-exist")) {
    const { name, tag } = nameAndTag(normalized);
    const repo = name.split("/").slice(1).join("/");
    throw new CzError(
      "internalError",
      `HTTP request to https://${registryHost(normalized)}/v2/${repo}/manifests/${tag} failed with response: 404 Not Found. Reason: manifest unknown`,
    );
  }
  const image = makeImage(normalized, { node: isNodeReference(normalized), source: "pull" });
  state.images[normalized] = image;
  return image;
}

/** `ImageDescription` as embedded in a container configuration. */
export function imageDescription(image) {
  return {
    descriptor: { digest: image.digest, mediaType: "application/vnd.oci.image.index.v1+json", size: 1609 },
    reference: image.reference,
  };
}

/** `ImageResource` JSON (reference §4.3). */
export function imageResource(image) {
  return {
    configuration: {
      creationDate: image.created,
      descriptor: { digest: image.digest, mediaType: "application/vnd.oci.image.index.v1+json", size: 1609 },
      name: image.reference,
    },
    id: image.digest.replace(/^sha256:/, ""),
    variants: [
      {
        config: {
          architecture: image.platform.architecture,
          config: image.config,
          created: image.created,
          os: image.platform.os,
          rootfs: { diff_ids: image.diffIds, type: "layers" },
        },
        digest: image.manifestDigest,
        platform: image.platform,
        size: image.size,
      },
    ],
  };
}
