import { randomInt } from "node:crypto";

const TOKEN_RE = /^[a-z0-9]{6}\.[a-z0-9]{16}$/;
const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** kubeadm's bootstrap token format: `[a-z0-9]{6}.[a-z0-9]{16}`. */
export function isBootstrapToken(token: string): boolean {
  return TOKEN_RE.test(token);
}

/**
 * A fresh random bootstrap token. kind uses one well-known token for every cluster; kina's node
 * VMs are reachable from the whole Mac, so callers should generate one per cluster and keep it
 * in the cluster state (the join step needs it later).
 */
export function generateBootstrapToken(): string {
  const pick = (n: number) => Array.from({ length: n }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");
  return `${pick(6)}.${pick(16)}`;
}
