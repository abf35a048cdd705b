// What `kina load image` reads from a node's `ctr images ls` to decide "already present".

import { describe, expect, it } from "vitest";
import { holdsImage, parseCtrImages, SOURCE_DIGEST_LABEL } from "../../../src/cluster/load-images.js";

const LOCAL = `sha256:${"1".repeat(64)}`;
const SAVED_INDEX = `sha256:${"2".repeat(64)}`;
const OTHER = `sha256:${"3".repeat(64)}`;

// containerd 2.x `ctr -n k8s.io images ls`: SIZE holds a space, LABELS is last (sorted k=v,…).
const LS = [
  "REF                                  TYPE                                    DIGEST    SIZE      PLATFORMS   LABELS",
  `docker.io/library/app:dev            application/vnd.oci.image.index.v1+json ${SAVED_INDEX} 3.4 MiB   linux/arm64 ${SOURCE_DIGEST_LABEL}=${LOCAL},io.cri-containerd.image=managed`,
  `docker.io/library/plain:1            application/vnd.oci.image.index.v1+json ${LOCAL} 3.4 MiB   linux/arm64 -`,
  `registry.k8s.io/pause:3.10           application/vnd.oci.image.index.v1+json ${OTHER} 320.0 KiB linux/arm64 io.cri-containerd.pinned=pinned`,
  "",
].join("\n");

describe("parseCtrImages / holdsImage", () => {
  it("reads each REF's digest and labels", () => {
    const images = parseCtrImages(LS);
    expect(images.get("docker.io/library/app:dev")).toEqual({
      digest: SAVED_INDEX,
      labels: { [SOURCE_DIGEST_LABEL]: LOCAL, "io.cri-containerd.image": "managed" },
    });
    expect(images.get("docker.io/library/plain:1")).toEqual({ digest: LOCAL, labels: {} });
    expect(images.get("registry.k8s.io/pause:3.10")?.labels).toEqual({ "io.cri-containerd.pinned": "pinned" });
  });

  it("an image kina imported from a platform-filtered save counts as present by its source label", () => {
    const images = parseCtrImages(LS);
    expect(holdsImage(images, "docker.io/library/app:dev", LOCAL)).toBe(true);
    expect(holdsImage(images, "docker.io/library/plain:1", LOCAL)).toBe(true);
    // Same name, another local build: load again.
    expect(holdsImage(images, "docker.io/library/app:dev", OTHER)).toBe(false);
    // Same digest under another name is not this image's name on the node.
    expect(holdsImage(images, "docker.io/library/plain:2", LOCAL)).toBe(false);
  });
});
