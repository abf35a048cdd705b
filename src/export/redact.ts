// The one redactor every byte of `kina export logs` goes through before it is written: a bundle
// is made to be attached to an issue, so nothing in it may let a reader into the cluster.

const REDACTED = "<redacted>";

/** base64 of "-----BEGIN ": how a PEM block starts inside kubeconfig `*-data` fields. */
const BASE64_PEM_START = "LS0tLS1CRUdJTi";

interface Rule {
  what: string;
  pattern: RegExp;
  replace: string | ((match: string, ...groups: string[]) => string);
}

const RULES: Rule[] = [
  {
    // Any PEM private key block (RSA, EC, PKCS#8, encrypted), whole, including its armour lines;
    // a block cut off before its END line (a truncated log) loses every base64 line that follows.
    what: "PEM private key",
    pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?:[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----|(?:\r?\n(?:[A-Za-z-]+: .*|[A-Za-z0-9+/=]{16,}))*)/g,
    replace: "<private key redacted>",
  },
  {
    // base64-wrapped PEM (kubeconfig client-key-data, Secrets' data) that decodes to a private key.
    what: "base64 PEM private key",
    pattern: new RegExp(`${BASE64_PEM_START}[A-Za-z0-9+/=]+`, "g"),
    replace: (match) => (Buffer.from(match, "base64").toString("latin1").includes("PRIVATE KEY") ? "<private key redacted>" : match),
  },
  {
    // kubeconfig / JSON credential fields: YAML `key: value` and JSON `"key": "value"`.
    what: "credential field",
    pattern:
      /(["']?)\b(client-key-data|client-certificate-data|client-key|token|id-token|refresh-token|access-token|password|certificate-key|certificateKey|bootstrapToken|tlsBootstrapToken)\1(\s*[:=]\s*)(["']?)([^\s"',}\]]+)\4/g,
    replace: (_m, q: string, key: string, sep: string, vq: string) => `${q}${key}${q}${sep}${vq}${REDACTED}${vq}`,
  },
  {
    // kubeadm flags that carry secrets.
    what: "secret flag",
    pattern: /(--(?:token|certificate-key|discovery-token|tls-bootstrap-token)[= ])(?!<)\S+/g,
    replace: (_m, flag: string) => `${flag}${REDACTED}`,
  },
  {
    what: "bearer token",
    pattern: /\b(Bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi,
    replace: (_m, prefix: string) => `${prefix}${REDACTED}`,
  },
  {
    // Service-account and OIDC tokens are JWTs: three base64url parts, the first a JSON header.
    what: "JWT",
    pattern: /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
    replace: "<jwt redacted>",
  },
  {
    // kubeadm bootstrap tokens, wherever they appear (join commands, Secrets, journals).
    what: "bootstrap token",
    pattern: /\b[a-z0-9]{6}\.[a-z0-9]{16}\b/g,
    replace: "<bootstrap token redacted>",
  },
];

/** `text` with every secret kina knows the shape of replaced by a marker saying what was there. */
export function redact(text: string): string {
  let out = text;
  for (const rule of RULES) out = out.replace(rule.pattern, rule.replace as (m: string, ...g: string[]) => string);
  return out;
}
