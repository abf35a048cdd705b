import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";

/** An admin.conf shaped like the one kubeadm writes (credentials are dummies). */
export const ADMIN_CONF = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: Q0EtREFUQS1GT1ItVEVTVFM=
    server: https://192.168.64.3:6443
  name: kubernetes
contexts:
- context:
    cluster: kubernetes
    user: kubernetes-admin
  name: kubernetes-admin@kubernetes
current-context: kubernetes-admin@kubernetes
kind: Config
preferences: {}
users:
- name: kubernetes-admin
  user:
    client-certificate-data: Q0xJRU5ULUNFUlQtREFUQQ==
    client-key-data: Q0xJRU5ULUtFWS1EQVRB
`;

export const SERVER = "https://127.0.0.1:54321";

export interface KubeconfigJson {
  apiVersion?: string;
  kind?: string;
  "current-context"?: string;
  clusters?: Array<{ name: string; [key: string]: unknown }> | null;
  contexts?: Array<{ name: string; [key: string]: unknown }> | null;
  users?: Array<{ name: string; [key: string]: unknown }> | null;
  [key: string]: unknown;
}

export function parseJson(text: string): KubeconfigJson {
  return (parse(text) ?? {}) as KubeconfigJson;
}

/** Entries of a section whose name is not `name`. */
export function entriesExcept(config: KubeconfigJson, section: "clusters" | "contexts" | "users", name: string) {
  return (config[section] ?? []).filter((entry) => entry.name !== name);
}

export function namesIn(config: KubeconfigJson, section: "clusters" | "contexts" | "users"): string[] {
  return (config[section] ?? []).map((entry) => entry.name);
}

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "kina-kubeconfig-test-"));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
