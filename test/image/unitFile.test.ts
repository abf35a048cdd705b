import { accessSync, constants, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NODE_PREP_PATH, NODE_PREP_UNIT } from "../../src/image/nodeImage.js";
import { filesDir, imageDir } from "./harness.js";

const UNIT_PATH = `/etc/systemd/system/${NODE_PREP_UNIT}`;

/** systemd unit file → section → key → values (repeated keys and space-separated lists flattened). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = new Map();
      sections.set(header[1]!, current);
      continue;
    }
    const eq = line.indexOf("=");
    if (!current || eq < 0) throw new Error(`not a unit file line: ${raw}`);
    const key = line.slice(0, eq).trim();
    current.set(key, [...(current.get(key) ?? []), ...line.slice(eq + 1).trim().split(/\s+/)]);
  }
  return sections;
}

const unit = parseUnit(readFileSync(join(filesDir, UNIT_PATH), "utf8"));
const dockerfile = readFileSync(join(imageDir, "Dockerfile"), "utf8");

describe("kina-node-prep.service", () => {
  it("runs once, before containerd and kubelet", () => {
    expect(unit.get("Unit")?.get("Before")).toEqual(
      expect.arrayContaining(["containerd.service", "kubelet.service"]),
    );
    expect(unit.get("Service")?.get("Type")).toEqual(["oneshot"]);
    expect(unit.get("Service")?.get("RemainAfterExit")).toEqual(["yes"]);
  });

  it("does not make containerd or kubelet wait on its success", () => {
    for (const key of ["Requires", "RequiredBy", "BindsTo", "Requisite"]) {
      expect(unit.get("Unit")?.get(key) ?? unit.get("Install")?.get(key)).toBeUndefined();
    }
  });

  it("starts the prep script the image ships, as an executable", () => {
    expect(unit.get("Service")?.get("ExecStart")).toEqual([NODE_PREP_PATH]);
    expect(() => accessSync(join(filesDir, NODE_PREP_PATH), constants.X_OK)).not.toThrow();
  });

  it("is installed and enabled for multi-user.target by the Dockerfile", () => {
    expect(unit.get("Install")?.get("WantedBy")).toEqual(["multi-user.target"]);
    expect(dockerfile).toMatch(/^COPY files\/ \/$/m);
    const link = `/etc/systemd/system/multi-user.target.wants/${NODE_PREP_UNIT}`;
    expect(dockerfile).toContain(`ln -sf ${UNIT_PATH} ${link}`);
    expect(dockerfile).toContain(`mkdir -p /etc/systemd/system/multi-user.target.wants`);
  });
});
