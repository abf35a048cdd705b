import { describe, expect, it } from "vitest";
import { compareVersions, isVersionAtLeast, macosMajor, MIN_CONTAINER_VERSION, parseContainerVersion } from "../../../src/runtime/version.js";

describe("container version", () => {
  it("parses `container --version`", () => {
    expect(parseContainerVersion("container CLI version 1.2.2 (build: release, commit: 0190097)\n")).toBe("1.2.2");
    expect(parseContainerVersion("container CLI version 0.12.3 (build: release, commit: abcdef1)")).toBe("0.12.3");
    expect(parseContainerVersion("Docker version 27.0.1")).toBeUndefined();
  });

  it("accepts 1.2.1 and later, refuses 1.2.0 and 0.x", () => {
    expect(MIN_CONTAINER_VERSION).toBe("1.2.1");
    for (const ok of ["1.2.1", "1.2.2", "1.3.0", "1.10.0", "2.0.0"]) expect(isVersionAtLeast(ok, MIN_CONTAINER_VERSION)).toBe(true);
    for (const old of ["1.2.0", "1.1.9", "1.0.0", "0.12.3", "0.99.99"]) expect(isVersionAtLeast(old, MIN_CONTAINER_VERSION)).toBe(false);
  });

  it("compares numerically, not lexically", () => {
    expect(compareVersions("1.10.0", "1.9.0")).toBeGreaterThan(0);
    expect(compareVersions("1.2", "1.2.0")).toBe(0);
  });

  it("reads the macOS major version", () => {
    expect(macosMajor("26.0\n")).toBe(26);
    expect(macosMajor("15.6.1")).toBe(15);
    expect(macosMajor("")).toBeUndefined();
    expect(macosMajor("Linux")).toBeUndefined();
  });
});
