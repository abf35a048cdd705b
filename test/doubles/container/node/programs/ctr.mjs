// containerd's `ctr images import|tag|ls` against a per-namespace image list kept on the node.
import crypto from "node:crypto";
import { ok, fail } from "../result.mjs";
import { readState, updateState } from "../fake-state.mjs";
import { readNodeText } from "../rootfs.mjs";
import { socketPresent } from "./systemctl.mjs";
import { readTar, TarError } from "./tar.mjs";

const IMAGES = "containerd-images.json";

/** What a kindest/node image has preloaded in the k8s.io namespace. */
export function preloadedImages(rootfs) {
  let version = "v1.35.5";
  try {
    version = readNodeText(rootfs, "/kind/version").trim();
  } catch {
    // keep the default
  }
  const names = [
    `registry.k8s.io/kube-apiserver:${version}`,
    `registry.k8s.io/kube-controller-manager:${version}`,
    `registry.k8s.io/kube-scheduler:${version}`,
    `registry.k8s.io/kube-proxy:${version}`,
    "registry.k8s.io/etcd:3.6.5-0",
    "registry.k8s.io/coredns/coredns:v1.13.1",
    "registry.k8s.io/pause:3.10",
    "docker.io/kindest/kindnetd:v20260528-9350166c",
    "docker.io/kindest/local-path-provisioner:v20260528-9350166c",
    "docker.io/kindest/local-path-helper:v20260528-9350166c",
  ];
  return { "k8s.io": names.map((name) => ({ name, digest: digestOf(name) })) };
}

function digestOf(text) {
  return `sha256:${crypto.createHash("sha256").update(text).digest("hex")}`;
}

/** docker's reference normalisation: `foo` -> `docker.io/library/foo:latest`. */
export function normaliseRef(ref) {
  let name = ref;
  const slash = name.indexOf("/");
  const first = slash === -1 ? "" : name.slice(0, slash);
  if (slash === -1) name = `docker.io/library/${name}`;
  else if (!first.includes(".") && !first.includes(":") && first !== "localhost") name = `docker.io/${name}`;
  const lastPart = name.slice(name.lastIndexOf("/") + 1);
  if (!lastPart.includes(":") && !lastPart.includes("@")) name += ":latest";
  return name;
}

function imagesInArchive(buf) {
  const files = readTar(buf);
  const found = [];
  if (files.has("index.json")) {
    const index = JSON.parse(files.get("index.json").toString());
    for (const m of index.manifests ?? []) {
      const ann = m.annotations ?? {};
      const name = ann["io.containerd.image.name"] ?? ann["org.opencontainers.image.ref.name"];
      // containerd walks the index from each descriptor: a blob the archive lacks fails the import.
      if (m.digest && !files.has(`blobs/${String(m.digest).replace(":", "/")}`)) {
        throw new TarError(`failed to import: content digest ${m.digest}: not found`);
      }
      if (name && /[/:]/.test(name)) found.push({ name: normaliseRef(name), digest: m.digest ?? digestOf(name) });
    }
    if (found.length || !files.has("manifest.json")) return found;
  }
  if (files.has("manifest.json")) {
    const manifest = JSON.parse(files.get("manifest.json").toString());
    for (const entry of manifest) {
      for (const tag of entry.RepoTags ?? []) found.push({ name: normaliseRef(tag), digest: digestOf(entry.Config ?? tag) });
    }
    return found;
  }
  throw new TarError("unrecognized image format");
}

function parseGlobal(args) {
  let namespace = "default";
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i];
    if (a === "--namespace" || a === "-n") namespace = args[++i];
    else if (a.startsWith("--namespace=")) namespace = a.slice(12);
    else if (a.startsWith("-n=")) namespace = a.slice(3);
    else if (a === "--address" || a === "-a") i++;
    else if (a === "--debug") continue;
    else if (a.startsWith("-")) return { error: `ctr: flag provided but not defined: ${a.replace(/=.*/, "")}` };
    else break;
  }
  return { namespace, rest: args.slice(i) };
}

export function ctr(ctx, args) {
  const g = parseGlobal(args);
  if (g.error) return fail(1, g.error);
  const [group, verb, ...rest] = g.rest;
  if (group !== "images" && group !== "image" && group !== "i") {
    return fail(2, `fake ctr: unsupported command '${g.rest.join(" ")}' (only 'images import|tag|ls')`);
  }
  if (!socketPresent(ctx.rootfs)) {
    return fail(1, 'ctr: failed to dial "/run/containerd/containerd.sock": context deadline exceeded');
  }
  switch (verb) {
    case "import":
      return importImages(ctx, g.namespace, rest);
    case "tag":
      return tagImage(ctx, g.namespace, rest);
    case "ls":
    case "list":
      return listImages(ctx, g.namespace, rest);
    default:
      return fail(2, `fake ctr: unsupported command 'images ${verb ?? ""}' (only import|tag|ls)`);
  }
}

const IMPORT_FLAGS_WITH_VALUE = ["--snapshotter", "--label", "--platform", "--base-name", "--index-name"];
const IMPORT_BOOL_FLAGS = ["--all-platforms", "--digests", "--no-unpack", "--local", "--compress-blobs", "--skip-digest-for-named", "--discard-unpacked-layers"];

function importImages(ctx, namespace, args) {
  let source;
  // `--label k=v` (repeatable) goes on every imported image, as ctr's WithImageLabels does.
  const labels = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const flag = a.replace(/=.*/, "");
    if (IMPORT_FLAGS_WITH_VALUE.includes(flag)) {
      const value = a.includes("=") ? a.slice(flag.length + 1) : args[++i];
      if (value === undefined) return fail(1, `ctr: flag needs an argument: ${flag}`);
      if (flag === "--label") {
        const eq = value.indexOf("=");
        labels[eq === -1 ? value : value.slice(0, eq)] = eq === -1 ? "" : value.slice(eq + 1);
      }
    } else if (IMPORT_BOOL_FLAGS.includes(a)) continue;
    else if (a.startsWith("-") && a !== "-") return fail(1, `ctr: flag provided but not defined: ${flag}`);
    else if (source === undefined) source = a;
    else return fail(1, "ctr: too many arguments");
  }
  if (source !== "-") {
    return fail(2, `fake ctr: images import reads only from stdin ('-'), got '${source ?? ""}'`);
  }
  const data = ctx.stdin.readAll();
  if (data.length === 0) return fail(1, "ctr: unrecognized image format");
  let images;
  try {
    images = imagesInArchive(data);
  } catch (err) {
    if (err instanceof TarError || err instanceof SyntaxError) return fail(1, `ctr: ${err.message}`);
    throw err;
  }
  updateState(ctx.rootfs, IMAGES, () => preloadedImages(ctx.rootfs), (state) => {
    const list = (state[namespace] ??= []);
    for (const found of images) {
      const img = Object.keys(labels).length ? { ...found, labels } : found;
      const at = list.findIndex((x) => x.name === img.name);
      if (at === -1) list.push(img);
      else list[at] = img;
    }
    return state;
  });
  return ok(images.map((img) => `unpacking ${img.name} (${img.digest})...done\n`).join(""));
}

function tagImage(ctx, namespace, args) {
  let force = false;
  const refs = [];
  for (const a of args) {
    if (a === "--force") force = true;
    else if (a.startsWith("-")) return fail(1, `ctr: flag provided but not defined: ${a}`);
    else refs.push(a);
  }
  if (refs.length < 2) return fail(1, "ctr: source and target image references are required");
  const [source, ...targets] = refs;
  let result = ok();
  updateState(ctx.rootfs, IMAGES, () => preloadedImages(ctx.rootfs), (state) => {
    const list = (state[namespace] ??= []);
    const src = list.find((x) => x.name === source);
    if (!src) {
      result = fail(1, `ctr: image "${source}": not found`);
      return state;
    }
    let out = "";
    for (const target of targets) {
      const at = list.findIndex((x) => x.name === target);
      if (at !== -1 && !force) {
        result = fail(1, `ctr: image "${target}": already exists`, out);
        return state;
      }
      // The new name points at the same target and carries the same labels.
      const tagged = { name: target, digest: src.digest, ...(src.labels ? { labels: src.labels } : {}) };
      if (at !== -1) list[at] = tagged;
      else list.push(tagged);
      out += `${target}\n`;
    }
    result = ok(out);
    return state;
  });
  return result;
}

function listImages(ctx, namespace, args) {
  const quiet = args.includes("-q") || args.includes("--quiet");
  const unknown = args.find((a) => !["-q", "--quiet"].includes(a));
  if (unknown) return fail(1, `ctr: flag provided but not defined: ${unknown}`);
  const list = readState(ctx.rootfs, IMAGES, () => preloadedImages(ctx.rootfs))[namespace] ?? [];
  if (quiet) return ok(list.map((i) => `${i.name}\n`).join(""));
  const rows = [["REF", "TYPE", "DIGEST", "SIZE", "PLATFORMS", "LABELS"]];
  for (const i of list) rows.push([i.name, "application/vnd.oci.image.index.v1+json", i.digest, "10.0 MiB", "linux/arm64", labelText(i.labels)]);
  return ok(table(rows));
}

/** ctr prints an image's labels as sorted `k=v` pairs joined by commas, `-` for none. */
function labelText(labels = {}) {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}=${v}`).sort();
  return pairs.length ? pairs.join(",") : "-";
}

export function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c] + 1))).join(" ").trimEnd()).join("\n") + "\n";
}

export function k8sImages(rootfs) {
  return readState(rootfs, IMAGES, () => preloadedImages(rootfs))["k8s.io"] ?? [];
}
