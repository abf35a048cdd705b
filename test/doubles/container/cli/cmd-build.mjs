// `container build`: validates the context and Dockerfile like BuildCommand.validate(), records the
// invocation in $KINA_FAKE_CONTAINER_STATE/build.log and registers every tag as a node image.
import { existsSync, readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { flag, option } from "./argv.mjs";
import { CzError, UsageError, serviceDown } from "./errors.mjs";
import { makeImage, normalizeReference } from "./images.mjs";
import { isoNow } from "./json.mjs";
import { emit } from "./output.mjs";
import { dnsOptions } from "./specs.mjs";
import { mutate, recordBuild } from "./store.mjs";

const USAGE = "container build [<options>] [<context-dir>]";

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function validationError(message) {
  return new UsageError(message, `Usage: ${USAGE}\n  See 'container build --help' for more information.`);
}

/** Resolves the Dockerfile the way BuildCommand.validate() does (Dockerfile, then Containerfile). */
function dockerfilePath(v) {
  if (v.file === "-") return "-";
  if (v.file !== undefined) {
    const path = resolve(v.file);
    if (!existsSync(path)) throw validationError(`dockerfile does not exist ${v.file}`);
    return path;
  }
  for (const name of ["Dockerfile", "Containerfile"]) {
    const path = resolve(v.context, name);
    if (existsSync(path)) return path;
  }
  throw validationError("dockerfile not found in context dir");
}

function keyValues(list) {
  const result = {};
  for (const entry of list) {
    const eq = entry.indexOf("=");
    if (eq === -1) result[entry] = "";
    else result[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return result;
}

async function build(ctx, v) {
  if (!existsSync(v.context)) throw validationError(`context dir does not exist ${v.context}`);
  const tagsGiven = v.tag.length > 0 ? v.tag : [randomUUID().toLowerCase()];
  const tags = tagsGiven.map((name) => {
    try {
      return normalizeReference(name);
    } catch {
      throw validationError(`invalid reference ${name}`);
    }
  });
  const file = dockerfilePath(v);
  if (!ctx.serviceUp) throw serviceDown(null);
  const dockerfile = file === "-" ? await readStdin() : readFileSync(file);
  if (dockerfile.length >= 16 * 1024) {
    throw new CzError(
      "invalidArgument",
      `Dockerfile size (${dockerfile.length} bytes) exceeds the maximum allowed size of 16384 bytes. See https://github.com/apple/container/issues/735.`,
    );
  }
  const buildArgs = keyValues(v.buildArg);
  const platforms = v.platform.length > 0 ? v.platform : v.arch.map((a) => `${v.os[0] ?? "linux"}/${a}`);
  const entry = {
    date: isoNow(),
    tags,
    tagArgs: v.tag,
    context: resolve(v.context),
    file: file === "-" ? "-" : file,
    buildArgs,
    buildArgList: v.buildArg,
    labels: keyValues(v.label),
    platforms: platforms.length > 0 ? platforms : ["linux/arm64"],
    noCache: Boolean(v.noCache),
    pull: Boolean(v.pull),
    target: v.target ?? "",
    output: v.output,
    progress: v.progress,
    quiet: Boolean(v.quiet),
    cpus: v.cpus,
    memory: v.memory,
  };
  // Same Dockerfile + args + target → same digest, so "digest unchanged" checks can hold.
  const seed = `${dockerfile.toString("utf8")}\n${JSON.stringify(buildArgs)}\n${entry.target}`;
  mutate(ctx.dir, (state) => {
    // kina's Dockerfile builds FROM kindest/node of this version: the image's /kind/version says it.
    const kubernetesVersion = buildArgs.KUBERNETES_VERSION;
    for (const reference of tags) {
      state.images[reference] = { ...makeImage(reference, { node: true, source: "build", seed }), ...(kubernetesVersion ? { kubernetesVersion } : {}) };
    }
  });
  recordBuild(ctx.dir, entry);
  if (!v.quiet) {
    ctx.err(`#1 [internal] load build definition from ${file === "-" ? "stdin" : file.split("/").pop()}\n#1 DONE 0.0s\n`);
  }
  emit(ctx, tags.join("\n"));
  return 0;
}

const splitCommas = (text) => text.split(",").filter(Boolean);

export const buildCommand = {
  usage: USAGE,
  options: [
    option("a", "--arch", "arch", { multi: true, flatten: splitCommas }),
    option(null, "--build-arg", "buildArg", { multi: true, valueName: "key=val" }),
    option(null, "--cache-in", "cacheIn", { multi: true }),
    option(null, "--cache-out", "cacheOut", { multi: true }),
    option("c", "--cpus", "cpus", { type: "int" }),
    option("f", "--file", "file", { valueName: "path" }),
    option("l", "--label", "label", { multi: true, valueName: "key=val" }),
    option("m", "--memory", "memory"),
    flag(null, "--no-cache", "noCache"),
    option("o", "--output", "output", { multi: true }),
    option(null, "--os", "os", { multi: true, flatten: splitCommas }),
    option(null, "--platform", "platform", { multi: true, flatten: splitCommas }),
    option(null, "--progress", "progress", { choices: ["auto", "plain", "tty"], default: "auto", valueName: "type" }),
    flag("q", "--quiet", "quiet"),
    option(null, "--secret", "secret", { multi: true }),
    option(null, "--ssh", "ssh"),
    option("t", "--tag", "tag", { multi: true, valueName: "name" }),
    option(null, "--target", "target", { valueName: "stage" }),
    option(null, "--vsock-port", "vsockPort", { type: "uint" }),
    ...dnsOptions,
    flag(null, "--pull", "pull"),
  ],
  positionals: [{ key: "context", name: "<context-dir>", default: "." }],
  handler: build,
};
