// kina load image / docker-image / image-archive against the doubles: a 1+1 cluster, images from
// the fake Mac's `container` image store (built with `container build`) or from a tar file,
// imported into each node's containerd (the node double's `ctr`), skipped where the digest is there.

import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeMac, type FakeMac } from "../helpers/fake-mac.js";

const NODES = ["dev-control-plane", "dev-worker"];
const CONFIG = ["apiVersion: kind.x-k8s.io/v1alpha4", "kind: Cluster", "nodes:", "- role: control-plane", "- role: worker", ""].join("\n");

let m: FakeMac;

/** `container build -t TAG` of a one-line Dockerfile; returns the image's digest in the local store. */
function build(tag: string, from = "alpine:3.20"): string {
  const ctx = join(m.root, `ctx-${tag.replace(/[^a-z0-9]/g, "-")}`);
  mkdirSync(ctx, { recursive: true });
  writeFileSync(join(ctx, "Dockerfile"), `FROM ${from}\nCMD ["echo", "${tag}"]\n`);
  m.container(["build", "-t", tag, ctx]);
  return JSON.parse(m.container(["image", "inspect", tag]))[0].configuration.descriptor.digest;
}

/** REF → DIGEST as the node's containerd lists them (`ctr -n k8s.io images ls`). */
function nodeImages(node: string): Map<string, string> {
  const lines = m.container(["exec", node, "ctr", "-n", "k8s.io", "images", "ls"]).trim().split("\n").slice(1);
  return new Map(lines.map((l) => l.split(/\s+/)).map(([ref, , digest]) => [ref!, digest!]));
}

/** Resolves when `condition` holds, checking as the event loop turns (bounded by the test's timeout). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolveTick) => setTimeout(resolveTick, 50));
}

const imports = () => m.execLog().filter((e) => e.argv[0] === "ctr" && e.argv.includes("import"));

beforeAll(async () => {
  m = fakeMac();
  const created = await m.kina(["create", "dev", "--config", "-"], { input: CONFIG });
  expect(created.code, created.stderr).toBe(0);
}, 180_000);

afterAll(() => m?.cleanup());

describe("kina load image", () => {
  it("copies a local image into every node; a second load skips every node and imports nothing", async () => {
    const digest = build("app:dev");
    const r = await m.kina(["load", "image", "app:dev", "--name", "dev"]);
    expect(r.code, r.stderr).toBe(0);
    for (const node of NODES) {
      expect(r.stdout).toContain(`${node}: docker.io/library/app:dev loaded (${digest})`);
      expect(nodeImages(node).get("docker.io/library/app:dev")).toBe(digest);
      expect(m.container(["exec", node, "crictl", "images"])).toContain("docker.io/library/app");
    }
    // Progress on stderr, one line per node.
    for (const node of NODES) expect(r.stderr).toContain(`importing docker.io/library/app:dev into ${node}`);
    // The import streamed the archive into the node's containerd, with the node's snapshotter and
    // a label naming the local digest it came from.
    const importArgv = ["ctr", "--namespace=k8s.io", "images", "import", "--snapshotter=native", `--label=io.kina.source-digest=${digest}`, "-"];
    expect(imports().map((e) => [e.node, e.argv])).toEqual(expect.arrayContaining(NODES.map((node) => [node, importArgv])));
    expect(m.container(["exec", "dev-worker", "ctr", "-n", "k8s.io", "images", "ls"])).toContain(`io.kina.source-digest=${digest}`);

    const before = imports().length;
    const again = await m.kina(["load", "docker-image", "app:dev", "--name", "dev"]);
    expect(again.code, again.stderr).toBe(0);
    for (const node of NODES) expect(again.stdout).toContain(`${node}: docker.io/library/app:dev already present (${digest})`);
    expect(imports().length).toBe(before);
  });

  it("a rebuilt image (new digest) is loaded again", async () => {
    build("app:v2");
    await m.kina(["load", "image", "app:v2", "--name", "dev"]);
    const rebuilt = build("app:v2", "alpine:3.21");
    const r = await m.kina(["load", "image", "app:v2", "--name", "dev"]);
    expect(r.code, r.stderr).toBe(0);
    for (const node of NODES) {
      expect(r.stdout).toContain(`${node}: docker.io/library/app:v2 loaded (${rebuilt})`);
      expect(nodeImages(node).get("docker.io/library/app:v2")).toBe(rebuilt);
    }
  });

  it("--nodes loads into those nodes only", async () => {
    const digest = build("only-worker:1");
    const r = await m.kina(["load", "image", "only-worker:1", "--name", "dev", "--nodes", "dev-worker"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`dev-worker: docker.io/library/only-worker:1 loaded (${digest})`);
    expect(r.stdout).not.toContain("dev-control-plane");
    expect(nodeImages("dev-worker").get("docker.io/library/only-worker:1")).toBe(digest);
    expect(nodeImages("dev-control-plane").has("docker.io/library/only-worker:1")).toBe(false);
  });

  it("a node whose import fails is named; the others are loaded, and a second run loads only that node", async () => {
    const digest = build("flaky:1");
    m.faults([{ argv: ["exec", "-i", "dev-worker"], times: 1, exitCode: 1, stderr: "ctr: failed to import: write /var/lib/containerd: no space left on device" }]);
    const r = await m.kina(["load", "image", "flaky:1", "--name", "dev"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`dev-control-plane: docker.io/library/flaky:1 loaded (${digest})`);
    expect(r.stdout).toContain("dev-worker: docker.io/library/flaky:1 failed: failed to import: write /var/lib/containerd: no space left on device");
    expect(r.stderr).toContain("ERROR: loading failed on dev-worker");
    expect(r.stderr.match(/hint:/g)).toHaveLength(1);
    const again = await m.kina(["load", "image", "flaky:1", "--name", "dev"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`dev-control-plane: docker.io/library/flaky:1 already present (${digest})`);
    expect(again.stdout).toContain(`dev-worker: docker.io/library/flaky:1 loaded (${digest})`);
  });

  it("Ctrl-C during an import ends with 130, kills the import and leaves no temporary archive", async () => {
    build("slow:1");
    const tmp = join(m.root, "tmp");
    mkdirSync(tmp, { recursive: true });
    m.faults([{ argv: ["exec", "-i", "dev-worker"], times: 1, hang: true }]);
    const { child, done } = m.startKina(["load", "image", "slow:1", "--name", "dev"], { env: { TMPDIR: tmp } });
    // Interrupt once the worker's import is the call that hangs: the double has taken the rule.
    await until(() => JSON.parse(readFileSync(join(m.fake, "faults.json"), "utf8")).rules.length === 0);
    child.kill("SIGINT");
    const r = await done;
    expect([r.code, r.signal]).toEqual([130, null]);
    expect(r.stderr).toContain("importing docker.io/library/slow:1 into dev-worker");
    expect(r.stderr).toContain("Interrupted");
    expect(r.stderr).not.toContain("ERROR");
    expect(readdirSync(tmp).filter((f) => f.startsWith("kina-load-"))).toEqual([]);
  });

  it("an image missing locally fails naming it, before anything is copied", async () => {
    build("present:1");
    const before = imports().length;
    const r = await m.kina(["load", "image", "present:1", "not-built:1", "--name", "dev"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("not-built:1");
    expect(r.stderr).toContain("hint: pull it with `container image pull not-built:1` or build it with `container build");
    expect(imports().length).toBe(before);
    expect(nodeImages("dev-worker").has("docker.io/library/present:1")).toBe(false);
  });

  it("an unknown --nodes name is a usage error listing the cluster's nodes", async () => {
    build("app:dev");
    const before = imports().length;
    const r = await m.kina(["load", "image", "app:dev", "--name", "dev", "--nodes", "dev-worker,dev-worker9"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown node "dev-worker9"');
    expect(r.stderr).toContain("dev-control-plane, dev-worker");
    expect(imports().length).toBe(before);
    const empty = await m.kina(["load", "image", "app:dev", "--name", "dev", "--nodes"]);
    expect(empty.code).toBe(2);
  });

  it("a cluster kina does not know fails naming it", async () => {
    const r = await m.kina(["load", "image", "app:dev", "--name", "nope"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no cluster "nope"');
  });
});

describe("kina load image-archive", () => {
  it("imports a tar written by `container image save` into every node", async () => {
    const digest = build("archived:1");
    const file = join(m.root, "archived.tar");
    m.container(["image", "save", "-o", file, "archived:1"]);
    const r = await m.kina(["load", "image-archive", file, "--name", "dev"]);
    expect(r.code, r.stderr).toBe(0);
    for (const node of NODES) {
      expect(r.stdout).toContain(`${node}: ${file} loaded: docker.io/library/archived:1 (${digest})`);
      expect(nodeImages(node).get("docker.io/library/archived:1")).toBe(digest);
    }
  });

  it("a missing file is a usage error naming the path, before anything runs", async () => {
    const before = imports().length;
    const missing = join(m.root, "no-such.tar");
    const r = await m.kina(["load", "image-archive", missing, "--name", "dev"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`image archive ${missing}: no such file`);
    const dir = await m.kina(["load", "image-archive", m.root, "--name", "dev"]);
    expect(dir.code).toBe(2);
    expect(dir.stderr).toContain(`image archive ${m.root}: not a file`);
    expect(imports().length).toBe(before);
  });

  it("a file that is not an image archive is refused by the nodes' containerd: exit 1 naming each node", async () => {
    const junk = join(m.root, "junk.tar");
    writeFileSync(junk, "this is not a tar archive\n".repeat(40));
    const r = await m.kina(["load", "image-archive", junk, "--name", "dev"]);
    expect(r.code).toBe(1);
    for (const node of NODES) expect(r.stdout).toContain(`${node}: ${junk} failed: archive/tar: invalid tar header`);
    expect(r.stderr).toContain("ERROR: loading failed on dev-control-plane");
  });
});

describe("kina load on a stopped cluster", () => {
  it("fails with the way to start it, and imports nothing", async () => {
    build("app:dev");
    expect((await m.kina(["stop", "dev"])).code).toBe(0);
    const before = imports().length;
    const r = await m.kina(["load", "image", "app:dev", "--name", "dev"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("dev-control-plane (stopped)");
    expect(r.stderr).toContain("hint: start it with `kina start dev`");
    expect(imports().length).toBe(before);
  });
});
