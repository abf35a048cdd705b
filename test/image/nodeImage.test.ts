import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  NODE_KUBEADM_CONFIG_PATH,
  baseImageRef,
  buildArgsFor,
  defaultNodeImageRef,
  findPackageRoot,
  nodeImageContextDir,
  nodeImageDefaults,
  nodeImageVersion,
  parseNodeVersionFile,
  parseVersions,
} from "../../src/image/nodeImage.js";
import { imageDir, repoRoot } from "./harness.js";

const versionsText = readFileSync(join(imageDir, "versions.json"), "utf8");
const versions = JSON.parse(versionsText) as Record<string, string>;
const DIGEST = "sha256:" + "ab".repeat(32);

describe("node image defaults", () => {
  const temps: string[] = [];
  afterEach(() => {
    for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("come from images/node/versions.json", () => {
    const { alsoPinned: _others, ...defaults } = versions as Record<string, unknown>;
    expect(nodeImageDefaults()).toEqual(defaults);
    expect(defaultNodeImageRef()).toBe(versions.image);
    expect(baseImageRef()).toBe(`${versions.baseImage}@${versions.baseDigest}`);
    expect(nodeImageVersion()).toBe(versions.image!.split(":").pop());
  });

  it("point at the build context in the package", () => {
    expect(nodeImageContextDir()).toBe(join(repoRoot, "images", "node").replace(/\/$/, ""));
    expect(existsSync(join(nodeImageContextDir(), "Dockerfile"))).toBe(true);
  });

  it("find the package root from the compiled location dist/src/image too", () => {
    const pkg = mkdtempSync(join(tmpdir(), "kina-pkg-"));
    temps.push(pkg);
    writeFileSync(join(pkg, "package.json"), "{}");
    mkdirSync(join(pkg, "images", "node"), { recursive: true });
    writeFileSync(join(pkg, "images", "node", "versions.json"), versionsText);
    mkdirSync(join(pkg, "dist", "src", "image"), { recursive: true });
    // A stray package.json without the image context (e.g. one written into dist) is skipped.
    writeFileSync(join(pkg, "dist", "package.json"), '{"type":"module"}');

    expect(findPackageRoot(join(pkg, "dist", "src", "image"))).toBe(pkg);
    expect(findPackageRoot(join(pkg, "src", "image"))).toBe(pkg);
  });

  it("say kina is installed incompletely when images/ is missing", () => {
    const empty = mkdtempSync(join(tmpdir(), "kina-nopkg-"));
    temps.push(empty);
    expect(() => findPackageRoot(empty)).toThrow(/installed incompletely.*images\/node\/versions\.json/);
  });

  it("reject a versions.json with a truncated digest, a tagged base or a mismatched image tag", () => {
    const good = JSON.parse(versionsText) as Record<string, string>;
    const bad = (patch: Record<string, unknown>): string => JSON.stringify({ ...good, ...patch });
    expect(() => parseVersions(bad({ baseDigest: "sha256:ce977ae6…" }))).toThrow(/baseDigest/);
    expect(() => parseVersions(bad({ baseImage: "docker.io/kindest/node:v1.35.5" }))).toThrow(/baseImage/);
    expect(() => parseVersions(bad({ image: "kina/node:v1.34.0-kina.1" }))).toThrow(/"image"/);
    expect(() => parseVersions(bad({ kubernetesVersion: 135 }))).toThrow(/kubernetesVersion/);
    expect(() => parseVersions("{")).toThrow(/not JSON/);
    expect(parseVersions(bad({ baseImage: "localhost:5000/kindest/node" })).baseImage).toBe(
      "localhost:5000/kindest/node",
    );
  });
});

describe("buildArgsFor", () => {
  it("passes every Dockerfile build arg from versions.json by default", () => {
    expect(buildArgsFor()).toEqual([
      "--build-arg", `BASE_IMAGE=${versions.baseImage}`,
      "--build-arg", `BASE_DIGEST=${versions.baseDigest}`,
      "--build-arg", `KUBERNETES_VERSION=${versions.kubernetesVersion}`,
      "--build-arg", `KINA_IMAGE_VERSION=${versions.image!.split(":").pop()}`,
    ]);
  });

  it("builds on another base when asked, keeping kina's image revision", () => {
    const args = buildArgsFor({ baseImage: "registry.local/kindest/node", baseDigest: DIGEST, kubernetesVersion: "v1.36.1" });
    expect(args).toContain("BASE_IMAGE=registry.local/kindest/node");
    expect(args).toContain(`BASE_DIGEST=${DIGEST}`);
    expect(args).toContain("KUBERNETES_VERSION=v1.36.1");
    const revision = versions.image!.split(":").pop()!.slice(versions.kubernetesVersion!.length + 1);
    expect(args).toContain(`KINA_IMAGE_VERSION=v1.36.1-${revision}`);
  });

  it("refuses a digest that is not a full sha256", () => {
    expect(() => buildArgsFor({ baseDigest: "sha256:ce977ae6" })).toThrow(/sha256:<64 hex digits>/);
  });
});

describe("node paths", () => {
  it("write kubeadm's config where kindest/node's entrypoint looks for it", () => {
    expect(NODE_KUBEADM_CONFIG_PATH).toBe("/kind/kubeadm.conf");
  });

  it("parse /kina/version", () => {
    expect(parseNodeVersionFile("KUBERNETES_VERSION=v1.35.5\nBASE_DIGEST=sha256:x\n\n")).toEqual({
      KUBERNETES_VERSION: "v1.35.5",
      BASE_DIGEST: "sha256:x",
    });
  });
});
