// iptables (nft and legacy backends, IPv4/IPv6), iptables-save and update-alternatives. Rules are
// recorded per backend; whether a backend, match or target works depends on the node kernel config.
import { ok, fail } from "../result.mjs";
import { readState, updateState } from "../fake-state.mjs";
import { readKernelConfig } from "../kernel.mjs";

const VERSION = "v1.8.11";
const RULES = "iptables.json";
const ALTERNATIVES = "alternatives.json";

const BUILTIN_CHAINS = {
  filter: ["INPUT", "FORWARD", "OUTPUT"],
  nat: ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"],
  mangle: ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"],
  raw: ["PREROUTING", "OUTPUT"],
  security: ["INPUT", "FORWARD", "OUTPUT"],
};

const BUILTIN_TARGETS = ["ACCEPT", "DROP", "RETURN", "QUEUE"];

// Extension -> kernel options of which one must be built in (Apple's kernels have no modules).
const MATCH_NEEDS = {
  comment: ["NETFILTER_XT_MATCH_COMMENT"],
  conntrack: ["NETFILTER_XT_MATCH_CONNTRACK"],
  multiport: ["NETFILTER_XT_MATCH_MULTIPORT"],
  addrtype: ["NETFILTER_XT_MATCH_ADDRTYPE"],
  statistic: ["NETFILTER_XT_MATCH_STATISTIC"],
  recent: ["NETFILTER_XT_MATCH_RECENT"],
  physdev: ["NETFILTER_XT_MATCH_PHYSDEV"],
  mark: ["NETFILTER_XT_MATCH_MARK", "NETFILTER_XT_MARK"],
  socket: ["NETFILTER_XT_MATCH_SOCKET"],
  set: ["NETFILTER_XT_SET"],
  ipvs: ["NETFILTER_XT_MATCH_IPVS"],
};
const TARGET_NEEDS = {
  TCPMSS: ["NETFILTER_XT_TARGET_TCPMSS"],
  MASQUERADE: ["NETFILTER_XT_TARGET_MASQUERADE", "IP_NF_TARGET_MASQUERADE"],
  DNAT: ["NETFILTER_XT_NAT", "NF_NAT"],
  SNAT: ["NETFILTER_XT_NAT", "NF_NAT"],
  MARK: ["NETFILTER_XT_TARGET_MARK", "NETFILTER_XT_MARK"],
  CT: ["NETFILTER_XT_TARGET_CT"],
  REJECT: ["IP_NF_TARGET_REJECT", "NFT_REJECT"],
};
const OTHER_TARGETS = ["LOG", "REDIRECT", "TPROXY", "CHECKSUM", "NFQUEUE", "CONNMARK", "NOTRACK", "SET"];
const OTHER_MATCHES = ["tcp", "udp", "icmp", "icmp6", "state", "limit", "owner", "rpfilter", "iprange", "length", "pkttype", "connmark", "hashlimit", "nfacct", "bpf"];

/** argv0 -> { family, backend: "nft" | "legacy" | "alternative", save } */
export const IPTABLES_PROGRAMS = {};
for (const family of [4, 6]) {
  const base = family === 4 ? "iptables" : "ip6tables";
  for (const [suffix, backend] of [["", "alternative"], ["-nft", "nft"], ["-legacy", "legacy"]]) {
    IPTABLES_PROGRAMS[`${base}${suffix}`] = { family, backend, save: false };
    IPTABLES_PROGRAMS[`${base}${suffix}-save`] = { family, backend, save: true };
  }
}

function defaultAlternatives() {
  // kindest/node's entrypoint counts legacy vs nft rules and picks legacy on a tie (0 = 0 at boot).
  return { iptables: "/usr/sbin/iptables-legacy", ip6tables: "/usr/sbin/ip6tables-legacy" };
}

function resolveBackend(rootfs, prog) {
  if (prog.backend !== "alternative") return prog.backend;
  const alt = readState(rootfs, ALTERNATIVES, defaultAlternatives)[prog.family === 4 ? "iptables" : "ip6tables"];
  return alt.endsWith("-nft") ? "nft" : "legacy";
}

function backendLabel(backend) {
  return backend === "nft" ? "nf_tables" : "legacy";
}

function backendAvailable(rootfs, backend, family) {
  const k = readKernelConfig(rootfs);
  if (backend === "nft") return k.has("NF_TABLES") && k.has("NFT_COMPAT") && (family === 4 || k.has("NF_TABLES_IPV6"));
  // Linux 6.17 put the legacy tables behind *_LEGACY options.
  if (family === 4) return k.atLeast(6, 17) ? k.has("IP_NF_IPTABLES_LEGACY") : k.has("IP_NF_IPTABLES");
  return k.atLeast(6, 17) ? k.has("IP6_NF_IPTABLES_LEGACY") : k.has("IP6_NF_IPTABLES");
}

function unavailable(name, backend, table) {
  if (backend === "nft") {
    return fail(4, `${name} ${VERSION} (nf_tables): Could not fetch rule set generation id: Invalid argument`);
  }
  return fail(
    3,
    `${name} ${VERSION} (legacy): can't initialize ${name} table \`${table}': Table does not exist (do you need to insmod?)\nPerhaps ${name} or your kernel needs to be upgraded.`,
  );
}

function emptyTable(table) {
  const chains = {};
  for (const c of BUILTIN_CHAINS[table]) chains[c] = { policy: "ACCEPT", rules: [] };
  return { chains };
}

// iptables prints `-p tcp` rules with the implicit `-m tcp` it loads for port/flag options.
function canonical(spec) {
  const out = [];
  for (let i = 0; i < spec.length; i++) {
    out.push(spec[i]);
    if ((spec[i] === "-p" || spec[i] === "--protocol") && ["tcp", "udp"].includes(spec[i + 1])) {
      out.push(spec[++i]);
      const proto = spec[i];
      const protoOpts = ["--dport", "--sport", "--destination-port", "--source-port", "--tcp-flags", "--syn", "--tcp-option"];
      const hasMatch = spec.some((t, j) => t === "-m" && spec[j + 1] === proto);
      if (!hasMatch && spec.some((t) => protoOpts.includes(t))) out.push("-m", proto);
    }
  }
  return out;
}

function quote(word) {
  return /[\s"]/.test(word) ? `"${word.replace(/"/g, '\\"')}"` : word;
}

function checkExtensions(rootfs, name, backend, spec, userChains) {
  const k = readKernelConfig(rootfs);
  const label = backendLabel(backend);
  for (let i = 0; i < spec.length; i++) {
    if ((spec[i] === "-m" || spec[i] === "--match") && spec[i + 1] !== undefined) {
      const m = spec[i + 1];
      const needs = MATCH_NEEDS[m];
      if ((needs && !needs.some((o) => k.has(o))) || (!needs && !OTHER_MATCHES.includes(m))) {
        return fail(2, `${name} ${VERSION} (${label}): Couldn't load match \`${m}':No such file or directory\n\nTry \`${name} -h' or '${name} --help' for more information.`);
      }
    }
    if ((spec[i] === "-j" || spec[i] === "--jump" || spec[i] === "-g" || spec[i] === "--goto") && spec[i + 1] !== undefined) {
      const t = spec[i + 1];
      if (BUILTIN_TARGETS.includes(t) || userChains.includes(t)) continue;
      const needs = TARGET_NEEDS[t];
      if ((needs && !needs.some((o) => k.has(o))) || (!needs && !OTHER_TARGETS.includes(t))) {
        return fail(2, `${name} ${VERSION} (${label}): Couldn't load target \`${t}':No such file or directory\n\nTry \`${name} -h' or '${name} --help' for more information.`);
      }
    }
  }
  return null;
}

const COMMANDS = {
  "-A": "append", "--append": "append",
  "-I": "insert", "--insert": "insert",
  "-D": "delete", "--delete": "delete",
  "-C": "check", "--check": "check",
  "-N": "new", "--new-chain": "new", "--new": "new",
  "-X": "delete-chain", "--delete-chain": "delete-chain",
  "-F": "flush", "--flush": "flush",
  "-S": "list-rules", "--list-rules": "list-rules",
  "-L": "list", "--list": "list",
  "-P": "policy", "--policy": "policy",
  "-Z": "zero", "--zero": "zero",
};

function parseArgs(args) {
  const parsed = { table: "filter", command: null, chain: undefined, extra: undefined, spec: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "-t" || a === "--table") parsed.table = args[++i];
    else if (a.startsWith("-t") && a.length > 2 && !a.startsWith("--")) parsed.table = a.slice(2);
    else if (a.startsWith("--table=")) parsed.table = a.slice(8);
    else if (a === "-w" || a === "--wait") {
      if (/^\d+(\.\d+)?$/.test(args[i + 1] ?? "")) i++;
    } else if (a.startsWith("--wait=") || a === "-W" || a === "--wait-interval") {
      if (a === "-W" || a === "--wait-interval") i++;
    } else if (["-n", "--numeric", "-v", "--verbose", "--line-numbers", "-x", "--exact"].includes(a)) continue;
    else if (a === "-V" || a === "--version") parsed.command = parsed.command ?? "version";
    else if (COMMANDS[a] && !parsed.command) {
      parsed.command = COMMANDS[a];
      const takesChain = !["zero"].includes(parsed.command);
      if (takesChain && args[i + 1] !== undefined && !args[i + 1].startsWith("-")) parsed.chain = args[++i];
      if ((parsed.command === "insert" || parsed.command === "delete") && /^\d+$/.test(args[i + 1] ?? "")) parsed.extra = Number(args[++i]);
      if (parsed.command === "policy") parsed.extra = args[++i];
    } else if (COMMANDS[a]) {
      return { error: `Cannot use -${a.replace(/^-+/, "")[0].toUpperCase()} with -${Object.keys(COMMANDS).find((k) => COMMANDS[k] === parsed.command).replace(/^-+/, "")[0].toUpperCase()}` };
    } else parsed.spec.push(a);
  }
  return parsed;
}

export function iptables(ctx, args) {
  const name = ctx.argv0;
  const prog = IPTABLES_PROGRAMS[name];
  const base = prog.family === 4 ? "iptables" : "ip6tables";
  const backend = resolveBackend(ctx.rootfs, prog);
  if (prog.save) return save(ctx, prog, backend, args);

  const parsed = parseArgs(args);
  if (parsed.error) return fail(2, `${base} ${VERSION} (${backendLabel(backend)}): ${parsed.error}\nTry \`${base} -h' or '${base} --help' for more information.`);
  if (parsed.command === "version") return ok(`${base} ${VERSION} (${backendLabel(backend)})\n`);
  if (!parsed.command) {
    return fail(2, `${base} ${VERSION} (${backendLabel(backend)}): no command specified\nTry \`${base} -h' or '${base} --help' for more information.`);
  }
  if (!BUILTIN_CHAINS[parsed.table]) {
    return fail(3, `${base} ${VERSION} (${backendLabel(backend)}): can't initialize ${base} table \`${parsed.table}': Table does not exist (do you need to insmod?)\nPerhaps ${base} or your kernel needs to be upgraded.`);
  }
  if (!backendAvailable(ctx.rootfs, backend, prog.family)) return unavailable(base, backend, parsed.table);

  const key = `${backend}-${prog.family}`;
  let result = ok();
  updateState(ctx.rootfs, RULES, {}, (state) => {
    state[key] ??= {};
    const tables = state[key];
    tables[parsed.table] ??= emptyTable(parsed.table);
    result = runCommand(ctx, base, backend, tables[parsed.table], parsed);
    return state;
  });
  return result;
}

function noChain(base) {
  return fail(1, `${base}: No chain/target/match by that name.`);
}

function runCommand(ctx, base, backend, table, parsed) {
  const { command, chain } = parsed;
  const chains = table.chains;
  const userChains = Object.keys(chains).filter((c) => !BUILTIN_CHAINS[parsed.table].includes(c));
  const needsChain = ["append", "insert", "delete", "check", "new", "policy"].includes(command);
  if (needsChain && !chain) return fail(2, `${base} ${VERSION} (${backendLabel(backend)}): option "-${command[0].toUpperCase()}" requires an argument`);
  if (command !== "new" && chain !== undefined && !chains[chain]) return noChain(base);

  const spec = canonical(parsed.spec);
  const same = (r) => r.length === spec.length && r.every((t, i) => t === spec[i]);
  switch (command) {
    case "append":
    case "insert": {
      const bad = checkExtensions(ctx.rootfs, base, backend, spec, userChains);
      if (bad) return bad;
      if (command === "append") chains[chain].rules.push(spec);
      else chains[chain].rules.splice((parsed.extra ?? 1) - 1, 0, spec);
      return ok();
    }
    case "check": {
      const bad = checkExtensions(ctx.rootfs, base, backend, spec, userChains);
      if (bad) return bad;
      return chains[chain].rules.some(same) ? ok() : fail(1, `${base}: Bad rule (does a matching rule exist in that chain?).`);
    }
    case "delete": {
      const rules = chains[chain].rules;
      const index = parsed.extra !== undefined ? parsed.extra - 1 : rules.findIndex(same);
      if (index < 0 || index >= rules.length) {
        return parsed.extra !== undefined ? fail(1, `${base}: Index of deletion too big.`) : fail(1, `${base}: Bad rule (does a matching rule exist in that chain?).`);
      }
      rules.splice(index, 1);
      return ok();
    }
    case "new":
      if (chains[chain]) return fail(1, `${base}: Chain already exists.`);
      chains[chain] = { policy: null, rules: [] };
      return ok();
    case "delete-chain": {
      const targets = chain ? [chain] : userChains;
      for (const c of targets) {
        if (BUILTIN_CHAINS[parsed.table].includes(c)) return fail(2, `${base}: Can't delete built-in chain.`);
        delete chains[c];
      }
      return ok();
    }
    case "flush":
      for (const c of chain ? [chain] : Object.keys(chains)) chains[c].rules = [];
      return ok();
    case "policy":
      if (!BUILTIN_CHAINS[parsed.table].includes(chain)) return fail(1, `${base}: Bad built-in chain name.`);
      chains[chain].policy = parsed.extra;
      return ok();
    case "zero":
      return ok();
    case "list-rules": {
      const names = chain ? [chain] : Object.keys(chains);
      const lines = names.map((c) => (chains[c].policy ? `-P ${c} ${chains[c].policy}` : `-N ${c}`));
      for (const c of names) for (const r of chains[c].rules) lines.push(`-A ${c} ${r.map(quote).join(" ")}`);
      return ok(lines.join("\n") + "\n");
    }
    case "list": {
      const names = chain ? [chain] : Object.keys(chains);
      const blocks = names.map((c) => {
        const head = chains[c].policy ? `Chain ${c} (policy ${chains[c].policy})` : `Chain ${c} (0 references)`;
        const rows = chains[c].rules.map((r) => {
          const j = r.indexOf("-j");
          return `${(j >= 0 ? r[j + 1] : "").padEnd(10)} ${r.map(quote).join(" ")}`;
        });
        return [head, "target     prot opt source               destination", ...rows].join("\n");
      });
      return ok(blocks.join("\n\n") + "\n");
    }
    default:
      return fail(2, `${base}: unsupported command`);
  }
}

function save(ctx, prog, backend, args) {
  const base = prog.family === 4 ? "iptables" : "ip6tables";
  let onlyTable;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "-t" || args[i] === "--table") onlyTable = args[++i];
    else if (["-c", "--counters"].includes(args[i])) continue;
    else return fail(1, `${base}-save: unrecognized option '${args[i]}'`);
  }
  if (!backendAvailable(ctx.rootfs, backend, prog.family)) {
    // The save tools print nothing and succeed when no tables can be read.
    return ok();
  }
  const tables = readState(ctx.rootfs, RULES, {})[`${backend}-${prog.family}`] ?? {};
  const when = new Date().toUTCString();
  const tool = `${base}-${backend}-save`;
  let out = "";
  for (const [name, table] of Object.entries(tables)) {
    if (onlyTable && name !== onlyTable) continue;
    out += `# Generated by ${tool} ${VERSION} on ${when}\n*${name}\n`;
    for (const [c, chain] of Object.entries(table.chains)) out += `:${c} ${chain.policy ?? "-"} [0:0]\n`;
    for (const [c, chain] of Object.entries(table.chains)) for (const r of chain.rules) out += `-A ${c} ${r.map(quote).join(" ")}\n`;
    out += `COMMIT\n# Completed on ${when}\n`;
  }
  return ok(out);
}

const ALTERNATIVE_PATHS = {
  iptables: ["/usr/sbin/iptables-legacy", "/usr/sbin/iptables-nft"],
  ip6tables: ["/usr/sbin/ip6tables-legacy", "/usr/sbin/ip6tables-nft"],
};

export function updateAlternatives(ctx, args) {
  const [verb, name, value] = args;
  if (verb === "--set") {
    if (args.length !== 3) return fail(2, "update-alternatives: error: --set needs <name> <path>\n\nUse 'update-alternatives --help' for program usage information.");
    if (!ALTERNATIVE_PATHS[name]) return fail(2, `update-alternatives: error: no alternatives for ${name}`);
    if (!ALTERNATIVE_PATHS[name].includes(value)) return fail(2, `update-alternatives: error: alternative ${value} for ${name} not registered; not setting`);
    updateState(ctx.rootfs, ALTERNATIVES, defaultAlternatives, (s) => ({ ...s, [name]: value }));
    return ok(`update-alternatives: using ${value} to provide /usr/sbin/${name} (${name}) in manual mode\n`);
  }
  if (verb === "--query" || verb === "--display") {
    if (args.length !== 2) return fail(2, `update-alternatives: error: ${verb} needs <name>`);
    if (!ALTERNATIVE_PATHS[name]) return fail(2, `update-alternatives: error: no alternatives for ${name}`);
    const current = readState(ctx.rootfs, ALTERNATIVES, defaultAlternatives)[name];
    if (verb === "--display") {
      return ok(`${name} - manual mode\n  link best version is ${ALTERNATIVE_PATHS[name][0]}\n  link currently points to ${current}\n  link ${name} is /usr/sbin/${name}\n`);
    }
    return ok(`Name: ${name}\nLink: /usr/sbin/${name}\nStatus: manual\nBest: ${ALTERNATIVE_PATHS[name][0]}\nValue: ${current}\n`);
  }
  return fail(2, `update-alternatives: error: fake node supports only --set, --query and --display (got '${verb ?? ""}')`);
}
