import { expect } from "vitest";
import { parseAllDocuments } from "yaml";
import type { KubeadmInput } from "../../../src/kubeadm/index.js";

export const NODE_IP = "192.168.64.3";

export function input(overrides: Partial<KubeadmInput> = {}): KubeadmInput {
  return {
    clusterName: "dev",
    kubernetesVersion: "v1.35.5",
    nodeName: "dev-control-plane",
    nodeIp: NODE_IP,
    bindPort: 6443,
    podSubnet: "10.244.0.0/16",
    serviceSubnet: "10.96.0.0/16",
    kubeProxyMode: "iptables",
    featureGates: {},
    ...overrides,
  };
}

type Doc = Record<string, any>;

/** Parses the rendered stream the way kubeadm (Go, YAML 1.1) would and indexes it by kind. */
export function parseRendered(yamlText: string): { kinds: string[]; byKind: (kind: string) => Doc } {
  const docs = parseAllDocuments(yamlText, { version: "1.1" }).map((d) => {
    expect(d.errors).toEqual([]);
    return d.toJS() as Doc;
  });
  return {
    kinds: docs.map((d) => d.kind),
    byKind: (kind) => {
      const matches = docs.filter((d) => d.kind === kind);
      expect(matches, `exactly one ${kind}`).toHaveLength(1);
      return matches[0] as Doc;
    },
  };
}

/** Reads a flag from either extraArgs shape (v1beta3 map, v1beta4 list). */
export function flag(args: unknown, name: string): unknown {
  if (Array.isArray(args)) return args.find((a) => a.name === name)?.value;
  return (args as Record<string, unknown> | undefined)?.[name];
}
