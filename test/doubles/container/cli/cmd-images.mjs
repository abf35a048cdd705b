// `container image …`: list, pull, save, load, tag, delete, inspect over the double's image store.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { flag, option } from "./argv.mjs";
import { CzError, ExitCode, serviceDown } from "./errors.mjs";
import { denormalizeReference, fetchImage, findImage, imageResource, makeImage, nameAndTag, normalizeReference } from "./images.mjs";
import { encodePretty } from "./json.mjs";
import { emit, renderList } from "./output.mjs";
import { renderTable } from "./table.mjs";
import { formatOption, imageFetchOptions, progressOptions, registryOptions } from "./specs.mjs";
import { mutate, readState } from "./store.mjs";
import { HOST_ARCH } from "./platform.mjs";
import { readTar, writeTar } from "./tar.mjs";

const INDEX_MEDIA_TYPE = "application/vnd.oci.image.index.v1+json";

function requireService(ctx) {
  // Image commands start by loading the system config, which pings the apiserver.
  if (!ctx.serviceUp) throw serviceDown(null);
}

function sortedImages(state) {
  return Object.values(state.images).sort((a, b) => (a.reference < b.reference ? -1 : a.reference > b.reference ? 1 : 0));
}

function list(ctx, v) {
  requireService(ctx);
  if (v.quiet && v.verbose) throw new CzError("invalidArgument", "cannot use flag --quiet and --verbose together");
  const images = sortedImages(readState(ctx.dir));
  if (v.quiet && v.format === "table") {
    for (const image of images) ctx.out(`${denormalizeReference(image.reference)}\n`);
    return 0;
  }
  renderList(ctx, v.format, images.map(imageResource), () => {
    if (v.verbose) {
      const header = ["NAME", "TAG", "INDEX DIGEST", "OS", "ARCH", "VARIANT", "FULL SIZE", "CREATED", "MANIFEST DIGEST"];
      const rows = images.map((img) => {
        const { name, tag } = nameAndTag(denormalizeReference(img.reference));
        const size = `${(img.size / 1_000_000).toFixed(1)} MB`;
        return [name, tag, img.digest.slice(7, 19), img.platform.os, img.platform.architecture, img.platform.variant ?? "", size, img.created, img.manifestDigest.slice(7, 19)];
      });
      return renderTable([header, ...rows]);
    }
    const rows = images.map((img) => {
      const { name, tag } = nameAndTag(denormalizeReference(img.reference));
      return [name, tag, img.digest.slice(7, 19)];
    });
    return renderTable([["NAME", "TAG", "DIGEST"], ...rows]);
  });
  return 0;
}

function pull(ctx, v) {
  requireService(ctx);
  mutate(ctx.dir, (state) => fetchImage(state, v.reference));
  return 0;
}

/** An OCI-layout tar whose index names each image; the blob carries the double's image record. */
function archive(images) {
  const files = [{ name: "oci-layout", data: JSON.stringify({ imageLayoutVersion: "1.0.0" }) }];
  const manifests = images.map((img) => {
    const blob = JSON.stringify({ kinaFakeImage: img });
    files.push({ name: `blobs/sha256/${img.digest.slice(7)}`, data: blob });
    return {
      // The full reference under all three keys, as Containerization's
      // LocalOCILayoutClient.setImageReferenceAnnotation writes them (so ctr import names the image).
      annotations: {
        "com.apple.containerization.image.name": img.reference,
        "io.containerd.image.name": img.reference,
        "org.opencontainers.image.ref.name": img.reference,
      },
      digest: img.digest,
      mediaType: INDEX_MEDIA_TYPE,
      size: Buffer.byteLength(blob),
    };
  });
  files.splice(1, 0, { name: "index.json", data: JSON.stringify({ manifests, mediaType: INDEX_MEDIA_TYPE, schemaVersion: 2 }) });
  return writeTar(files);
}

/** `--platform os/arch`, or `--os`/`--arch` (either defaulting to the host's), as `image save` reads them. */
function requestedPlatform(v) {
  if (v.platform) return v.platform.split("/").slice(0, 2).join("/");
  if (v.os || v.arch) return `${v.os ?? "linux"}/${v.arch ?? HOST_ARCH}`;
  return undefined;
}

function save(ctx, v) {
  requireService(ctx);
  const state = readState(ctx.dir);
  const images = [];
  for (const reference of v.references) {
    const image = findImage(state, reference);
    if (image) images.push(image);
    else ctx.err(`failed to get image for reference ${reference}: notFound: "image with reference ${reference}"\n`);
  }
  if (images.length !== v.references.length) throw new CzError("invalidArgument", "failed to save image(s)");
  // Reference §3.3 (`save`): asking for a platform the image has no content for fails, naming those it has.
  const wanted = requestedPlatform(v);
  for (const image of wanted ? images : []) {
    const has = `${image.platform.os}/${image.platform.architecture}`;
    if (has !== wanted) {
      throw new CzError("notFound", `image ${image.reference} has no content for platform ${wanted}; available platforms: ${has}`);
    }
  }
  const tar = archive(images);
  if (v.output) {
    writeFileSync(resolve(v.output), tar);
    for (const reference of v.references) emit(ctx, reference);
  } else {
    // stdout carries the archive, so the saved references are logged to stderr.
    ctx.out(tar);
    for (const reference of v.references) ctx.err(`${reference}\n`);
  }
  return 0;
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function load(ctx, v) {
  requireService(ctx);
  let data;
  if (v.input) {
    const path = resolve(v.input);
    if (!existsSync(path)) {
      ctx.err(`error: file does not exist path=${path}\n`);
      throw new ExitCode(1);
    }
    data = readFileSync(path);
  } else {
    data = await readStdin();
  }
  let loaded;
  try {
    const files = readTar(data);
    const index = JSON.parse(files.get("index.json").toString("utf8"));
    loaded = index.manifests.map((m) => {
      const reference = normalizeReference(m.annotations["io.containerd.image.name"]);
      const blob = files.get(`blobs/sha256/${String(m.digest).replace(/^sha256:/, "")}`);
      const record = blob ? JSON.parse(blob.toString("utf8")).kinaFakeImage : undefined;
      // Anything loaded from an archive counts as a node image (kina loads node images this way).
      return record ? { ...record, reference, node: true, source: "load" } : makeImage(reference, { node: true, source: "load", seed: m.digest });
    });
  } catch {
    throw new CzError("internalError", "failed to load archive");
  }
  mutate(ctx.dir, (state) => {
    for (const image of loaded) state.images[image.reference] = image;
  });
  for (const image of loaded) emit(ctx, image.reference);
  return 0;
}

function tag(ctx, v) {
  requireService(ctx);
  const target = normalizeReference(v.target);
  mutate(ctx.dir, (state) => {
    const source = findImage(state, v.source);
    if (!source) throw new CzError("notFound", `image with reference ${v.source}`);
    state.images[target] = { ...source, reference: target, source: "tag" };
  });
  emit(ctx, v.target);
  return 0;
}

function remove(ctx, v) {
  if (v.images.length === 0 && !v.all) throw new CzError("invalidArgument", "no images specified and --all not supplied");
  if (v.images.length > 0 && v.all) throw new CzError("invalidArgument", "explicitly supplied images conflict with the --all flag");
  requireService(ctx);
  const failures = [];
  mutate(ctx.dir, (state) => {
    const targets = [];
    if (v.all) targets.push(...sortedImages(state));
    else {
      for (const name of v.images) {
        const image = findImage(state, name);
        if (image) targets.push(image);
        else if (!v.force) failures.push(name);
      }
    }
    for (const image of targets) {
      delete state.images[image.reference];
      emit(ctx, image.reference);
    }
  });
  if (failures.length > 0) {
    throw new CzError("internalError", `failed to delete one or more images: [${failures.map((f) => `"${f}"`).join(", ")}]`);
  }
  return 0;
}

function inspect(ctx, v) {
  requireService(ctx);
  const state = readState(ctx.dir);
  const unique = [...new Set(v.images)];
  const missing = unique.filter((name) => !findImage(state, name)).sort();
  if (missing.length > 0) throw new CzError("notFound", `image not found: ${missing.join(", ")}`);
  emit(ctx, encodePretty(unique.map((name) => imageResource(findImage(state, name)))));
  return 0;
}

const platformOptions = [option("a", "--arch", "arch"), option(null, "--os", "os"), option(null, "--platform", "platform")];

export const imageGroup = {
  name: "image",
  aliases: ["i"],
  usage: "container image <subcommand>",
  subcommands: {
    list: {
      aliases: ["ls"],
      usage: "container image list [--format <format>] [--quiet] [--verbose] [--debug]",
      options: [formatOption, flag("q", "--quiet", "quiet"), flag("v", "--verbose", "verbose")],
      handler: list,
    },
    pull: {
      usage: "container image pull [<options>] <reference>",
      options: [...registryOptions, ...progressOptions, ...imageFetchOptions, ...platformOptions],
      positionals: [{ key: "reference", name: "<reference>", required: true }],
      handler: pull,
    },
    save: {
      usage: "container image save [--arch <arch>] [--os <os>] [--output <output>] [--platform <platform>] [--debug] <references> ...",
      options: [...platformOptions, option("o", "--output", "output")],
      positionals: [{ key: "references", name: "<references> ...", variadic: true, required: true }],
      handler: save,
    },
    load: {
      usage: "container image load [--input <input>] [--force] [--debug]",
      options: [option("i", "--input", "input"), flag("f", "--force", "force")],
      handler: load,
    },
    tag: {
      usage: "container image tag <source> <target> [--debug]",
      options: [],
      positionals: [
        { key: "source", name: "<source>", required: true },
        { key: "target", name: "<target>", required: true },
      ],
      handler: tag,
    },
    delete: {
      aliases: ["rm"],
      usage: "container image delete [--all] [--force] [<images> ...] [--debug]",
      options: [flag("a", "--all", "all"), flag("f", "--force", "force")],
      positionals: [{ key: "images", name: "<images> ...", variadic: true }],
      handler: remove,
    },
    inspect: {
      usage: "container image inspect [--debug] <images> ...",
      options: [],
      positionals: [{ key: "images", name: "<images> ...", variadic: true, required: true }],
      handler: inspect,
    },
  },
};
