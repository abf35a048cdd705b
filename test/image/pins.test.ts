import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildArgsFor, parseNodeVersionFile, parseVersions } from "../../src/image/nodeImage.js";
import { NodeSandbox, STAMP, imageDir, repoRoot } from "./harness.js";

const versions = parseVersions(readFileSync(join(imageDir, "versions.json"), "utf8"));
const dockerfile = readFileSync(join(imageDir, "Dockerfile"), "utf8");

function argDefaults(text: string): Record<string, string> {
  const defaults: Record<string, string> = {};
  for (const match of text.matchAll(/^ARG\s+([A-Z_]+)=(\S+)\s*$/gm)) {
    defaults[match[1]!] = match[2]!;
  }
  return defaults;
}

const imageTag = versions.image.slice(versions.image.lastIndexOf(":") + 1);

describe("the pinned node image versions agree everywhere", () => {
  it("versions.json pins a full digest and tags the image with the Kubernetes version", () => {
    expect(versions.baseDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(versions.image).toMatch(new RegExp(`^kina/node:${versions.kubernetesVersion.replaceAll(".", "\\.")}-.+$`));
  });

  it("the Dockerfile's build-arg defaults equal versions.json", () => {
    expect(argDefaults(dockerfile)).toEqual({
      BASE_IMAGE: versions.baseImage,
      BASE_DIGEST: versions.baseDigest,
      KUBERNETES_VERSION: versions.kubernetesVersion,
      KINA_IMAGE_VERSION: imageTag,
    });
  });

  it("the Dockerfile builds from the pinned digest and labels what it pins", () => {
    expect(dockerfile).toMatch(/^FROM \$\{BASE_IMAGE\}@\$\{BASE_DIGEST\}$/m);
    expect(dockerfile).toContain('io.kina.kubernetes-version="${KUBERNETES_VERSION}"');
    expect(dockerfile).toContain('io.kina.base-digest="${BASE_DIGEST}"');
    expect(dockerfile).toContain('org.opencontainers.image.version="${KINA_IMAGE_VERSION}"');
    expect(dockerfile).toContain('org.opencontainers.image.base.digest="${BASE_DIGEST}"');
  });

  it("kina's build args set every ARG of the Dockerfile to the versions.json values", () => {
    const args = buildArgsFor();
    const passed: Record<string, string> = {};
    for (let i = 0; i < args.length; i += 2) {
      expect(args[i]).toBe("--build-arg");
      const [name, ...rest] = args[i + 1]!.split("=");
      passed[name!] = rest.join("=");
    }
    expect(passed).toEqual(argDefaults(dockerfile));
  });

  describe("/kina/version, as the Dockerfile generates it", () => {
    let sb: NodeSandbox;
    beforeEach(() => {
      sb = new NodeSandbox();
    });
    afterEach(() => sb.dispose());

    // The Dockerfile's stamp-image call, with its ARG references filled in from the defaults.
    function stampArgs(defaults: Record<string, string>): string[] {
      const call = /stamp-image((?: "\$\{[A-Z_]+\}")+)\s*$/m.exec(dockerfile);
      expect(call, "the Dockerfile runs stamp-image with build args").not.toBeNull();
      return [...call![1]!.matchAll(/"\$\{([A-Z_]+)\}"/g)].map((m) => defaults[m[1]!]!);
    }

    it("records the pinned Kubernetes version and base digest", () => {
      sb.write("kind/version", `${versions.kubernetesVersion}\n`);

      const result = sb.run(STAMP, stampArgs(argDefaults(dockerfile)));

      expect(result.status, result.stderr).toBe(0);
      expect(parseNodeVersionFile(sb.read("kina/version"))).toEqual({
        KUBERNETES_VERSION: versions.kubernetesVersion,
        BASE_IMAGE: versions.baseImage,
        BASE_DIGEST: versions.baseDigest,
        KINA_IMAGE_VERSION: imageTag,
      });
    });

    it("refuses a base image whose Kubernetes version is not the one the labels claim", () => {
      sb.write("kind/version", "v1.34.8\n");

      const result = sb.run(STAMP, stampArgs(argDefaults(dockerfile)));

      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`runs Kubernetes v1.34.8 but KUBERNETES_VERSION is ${versions.kubernetesVersion}`);
      expect(sb.exists("kina/version")).toBe(false);
    });

    it("refuses a base without /kind/version and a malformed digest", () => {
      const defaults = argDefaults(dockerfile);
      expect(sb.run(STAMP, stampArgs(defaults)).stderr).toMatch(/no \/kind\/version/);
      sb.write("kind/version", `${versions.kubernetesVersion}\n`);
      const truncated = sb.run(STAMP, stampArgs({ ...defaults, BASE_DIGEST: "sha256:ce977ae6" }));
      expect(truncated.status).toBe(1);
      expect(truncated.stderr).toMatch(/BASE_DIGEST must be sha256/);
    });
  });

  const readme = join(repoRoot, "README.md");
  const readmeText = existsSync(readme) ? readFileSync(readme, "utf8") : "";
  it.skipIf(!readmeText.includes("Kubernetes v"))(
    "the README names the pinned Kubernetes version and base digest",
    () => {
      expect(readmeText).toContain(`Kubernetes ${versions.kubernetesVersion}`);
      expect(readmeText).toContain(versions.baseDigest);
    },
  );
});
