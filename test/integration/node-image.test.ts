// `kina build node-image` and the imageBuilt step against the `container` double.

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { nodeImageDefaults } from "../../src/image/nodeImage.js";
import { useFakeMacs, type FakeMac } from "../helpers/fake-mac.js";
import { REPO } from "../helpers/run.js";

const mac = useFakeMacs();

const pins = nodeImageDefaults();

describe("kina build node-image", () => {
  it("runs container build on the shipped context with the pinned build args", async () => {
    const m = mac();
    const r = await m.kina(["build", "node-image"]);
    expect(r.code, r.stderr).toBe(0);
    const [build, ...more] = m.builds();
    expect(more).toEqual([]);
    expect(build.context).toBe(join(REPO, "images/node"));
    expect(build.tagArgs).toEqual([pins.image]);
    expect(build.buildArgs).toMatchObject({
      BASE_IMAGE: pins.baseImage,
      BASE_DIGEST: pins.baseDigest,
      KUBERNETES_VERSION: pins.kubernetesVersion,
    });
  });

  it("--image and --base-image reach container build", async () => {
    const m = mac();
    const base = `docker.io/kindest/node:v1.36.1@sha256:${"a".repeat(64)}`;
    const r = await m.kina(["build", "node-image", "--image", "kina/node:mine", "--base-image", base]);
    expect(r.code, r.stderr).toBe(0);
    const [build] = m.builds();
    expect(build.tagArgs).toEqual(["kina/node:mine"]);
    expect(build.buildArgs).toMatchObject({ BASE_DIGEST: `sha256:${"a".repeat(64)}`, KUBERNETES_VERSION: "v1.36.1" });
  });

  it("--arch is gone: node VMs run the Mac's arm64, so an amd64 node image could not run", async () => {
    const m = mac();
    const r = await m.kina(["build", "node-image", "--arch", "amd64"]);
    expect(r.code).toBe(2);
    expect(m.builds()).toEqual([]);
  });

  it("a base image not pinned by digest is bad usage (exit 2)", async () => {
    const m = mac();
    const r = await m.kina(["build", "node-image", "--base-image", "kindest/node:latest"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("pin the base by digest");
    expect(m.builds()).toEqual([]);
  });
});

describe("imageBuilt", () => {
  it("skips the build when the image is already present and records its digest", async () => {
    const m = mac();
    expect((await m.kina(["build", "node-image"])).code).toBe(0);
    const r = await m.kina(["create", "dev"]);
    expect(r.code, r.stderr).toBe(0);
    expect(m.builds()).toHaveLength(1);
    const image = m.state().outputs.image;
    expect(image.ref).toBe(pins.image);
    expect(image.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("builds the default image on first use", async () => {
    const m = mac();
    const r = await m.kina(["create", "dev"]);
    expect(r.code, r.stderr).toBe(0);
    expect(m.builds()).toHaveLength(1);
    expect(r.stderr).toContain(`building ${pins.image}`);
  });

  it("--image pulls that image and builds nothing", async () => {
    const m = mac();
    const r = await m.kina(["create", "dev", "--image", "docker.io/kindest/node:v1.35.5"]);
    expect(r.code, r.stderr).toBe(0);
    expect(m.builds()).toEqual([]);
    expect(m.containers()[0]!.raw.configuration.image.reference).toBe("docker.io/kindest/node:v1.35.5");
  });
});
