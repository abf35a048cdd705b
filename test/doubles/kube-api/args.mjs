// Parses `--flag value` / `--flag=value` argument lists shared by start.mjs, server.mjs and stop.mjs.
export function parseFlags(argv, known) {
  const flags = {};
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (!word.startsWith("--")) throw new Error(`unexpected argument: ${word}`);
    const eq = word.indexOf("=");
    const name = eq === -1 ? word.slice(2) : word.slice(2, eq);
    if (!known.includes(name)) throw new Error(`unknown flag: --${name}`);
    let value;
    if (eq !== -1) value = word.slice(eq + 1);
    else {
      value = argv[++i];
      if (value === undefined) throw new Error(`flag --${name} needs a value`);
    }
    flags[name] = value;
  }
  return flags;
}

export function requireFlags(flags, names) {
  const missing = names.filter((n) => !flags[n]);
  if (missing.length > 0) throw new Error(`missing required flag(s): ${missing.map((n) => `--${n}`).join(", ")}`);
}

export const SERVER_FLAGS = [
  "state-dir",
  "pki-dir",
  "admin-conf",
  "listen-host",
  "listen-port",
  "advertise-address",
  "node-name",
  "faults",
  "kubernetes-version",
];

export const DEFAULT_KUBERNETES_VERSION = "v1.36.1";
