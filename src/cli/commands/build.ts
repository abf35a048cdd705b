// `kina build node-image`: builds images/node (shipped with kina) with `container build`.

import { buildArgsRecord, nodeImageContextDir, nodeImageDefaults } from "../../image/nodeImage.js";
import { UsageError } from "../../config/resolve.js";
import { EXIT_OK, type CommandContext } from "../context.js";

export interface BuildArgs {
  image?: string | undefined;
  baseImage?: string | undefined;
}

/** `repo[:tag]@sha256:<64 hex>` → its parts; the base must be pinned by digest. */
export function parseBaseImage(ref: string): { baseImage: string; baseDigest: string; kubernetesVersion?: string } {
  const m = /^([^@\s]+?)(?::(v\d+\.\d+\.\d+[^@\s]*))?@(sha256:[0-9a-f]{64})$/.exec(ref);
  if (!m) {
    throw new UsageError(
      `--base-image ${ref}: pin the base by digest, e.g. docker.io/kindest/node:v1.35.5@sha256:<64 hex digits>`,
    );
  }
  return { baseImage: m[1]!, baseDigest: m[3]!, ...(m[2] ? { kubernetesVersion: m[2] } : {}) };
}

export async function buildNodeImageCommand(c: CommandContext, args: BuildArgs): Promise<number> {
  const defaults = nodeImageDefaults();
  const tag = args.image ?? defaults.image;
  const base = args.baseImage ? parseBaseImage(args.baseImage) : {};
  const record = buildArgsRecord(base);
  const { ContainerCli } = await import("../../runtime/container.js");
  const cli = new ContainerCli({ env: c.io.env, signal: c.signal });
  c.say(`Building node image ${tag} from ${nodeImageContextDir()} ...`);
  // No --arch: `container run` starts linux/arm64 on Apple silicon (reference §13), so kina builds
  // for the Mac it runs on; an amd64 node image would need --platform and Rosetta on every node.
  await cli.build({ context: nodeImageContextDir(), tag, buildArgs: record });
  c.say(`Built ${tag}. Use it with \`kina create --image ${tag}\`${tag === defaults.image ? " (it is already the default)" : ""}.`);
  return EXIT_OK;
}
