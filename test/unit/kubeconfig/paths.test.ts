import { delimiter, join } from "node:path";
import { describe, expect, test } from "vitest";
import { kubeconfigPaths, mergeTargetPath } from "../../../src/kube/kubeconfig/index.js";

const HOME = "/home/someone";

describe("kubeconfigPaths", () => {
  test("defaults to ~/.kube/config", () => {
    expect(kubeconfigPaths({}, HOME)).toEqual([join(HOME, ".kube", "config")]);
  });

  test("splits $KUBECONFIG on the path list separator, dropping empties and repeats, keeping order", () => {
    const value = ["/a/one", "", "/b/two", "/a/one", "", "/c/three"].join(delimiter);
    expect(kubeconfigPaths({ KUBECONFIG: value }, HOME)).toEqual(["/a/one", "/b/two", "/c/three"]);
  });

  test("falls back to the default when $KUBECONFIG holds no path", () => {
    expect(kubeconfigPaths({ KUBECONFIG: "" }, HOME)).toEqual([join(HOME, ".kube", "config")]);
    expect(kubeconfigPaths({ KUBECONFIG: delimiter + delimiter }, HOME)).toEqual([join(HOME, ".kube", "config")]);
  });
});

describe("mergeTargetPath", () => {
  test("is the only path when there is one, existing or not", () => {
    expect(mergeTargetPath(["/x/config"], () => false)).toBe("/x/config");
  });

  test("is the first existing path, like kubectl", () => {
    const existing = new Set(["/b", "/c"]);
    expect(mergeTargetPath(["/a", "/b", "/c"], (p) => existing.has(p))).toBe("/b");
  });

  test("is the last path when none exists, like kubectl", () => {
    expect(mergeTargetPath(["/a", "/b", "/c"], () => false)).toBe("/c");
  });

  test("refuses an empty list", () => {
    expect(() => mergeTargetPath([])).toThrow(TypeError);
  });
});
