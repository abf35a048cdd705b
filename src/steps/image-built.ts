// imageBuilt: every node image is present locally. A kina image of a pinned Kubernetes version is
// built from the images/node context shipped with kina; any other reference is pulled. The digest is recorded so
// a later resume notices an image that changed underneath the cluster.

import { buildArgsRecord, nodeImageContextDir, pinOfImage } from "../image/nodeImage.js";
import type { KinaContext, KinaStep } from "./services.js";

function images(ctx: KinaContext): string[] {
  return [...new Set(ctx.config.nodes.map((n) => n.image))];
}

async function digestOf(ctx: KinaContext, ref: string): Promise<string | undefined> {
  const image = await ctx.services.runtime.tryImageInspect(ref);
  return image?.configuration.descriptor.digest;
}

export const step: KinaStep = {
  async run(ctx) {
    const recorded: { ref: string; digest?: string }[] = [];
    for (const ref of images(ctx)) {
      let digest = await digestOf(ctx, ref);
      if (digest) {
        ctx.log.line(`image ${ref} is present (${digest})`);
      } else if (pinOfImage(ref)) {
        // A kina image of a pinned version: built from its kindest/node base, pinned by digest.
        const pin = pinOfImage(ref)!;
        ctx.progress(`building ${ref} (first use; later clusters reuse it)`);
        const buildArgs = buildArgsRecord({ baseImage: pin.baseImage, baseDigest: pin.baseDigest, kubernetesVersion: pin.kubernetesVersion });
        await ctx.services.runtime.build({ context: nodeImageContextDir(), tag: ref, buildArgs });
        digest = await digestOf(ctx, ref);
      } else {
        ctx.progress(`pulling ${ref}`);
        await ctx.services.runtime.imagePull(ref);
        digest = await digestOf(ctx, ref);
      }
      if (!digest) throw new Error(`image ${ref} is still missing after ${pinOfImage(ref) ? "the build" : "the pull"}`);
      recorded.push({ ref, digest });
    }
    await ctx.setOutputs({ image: recorded[0]! });
  },
  async verify(ctx) {
    for (const ref of images(ctx)) {
      const digest = await digestOf(ctx, ref);
      if (!digest) return { ok: false, reason: `image ${ref} is no longer present` };
      if (ref === ctx.outputs.image?.ref && ctx.outputs.image.digest && ctx.outputs.image.digest !== digest) {
        return { ok: false, reason: `image ${ref} changed (${ctx.outputs.image.digest} → ${digest})` };
      }
    }
    return { ok: true };
  },
};
