// procps `sysctl`: values live as files under the node's /proc/sys, so `cat /proc/sys/...` agrees.
import fs from "node:fs";
import path from "node:path";
import { fail } from "../result.mjs";
import { hostPath, statNode, readNodeText, writeNodeFile } from "../rootfs.mjs";
import { readKernelConfig } from "../kernel.mjs";

// Defaults a fresh Apple container VM shows (RuntimeService always sets the two vm.* values).
const DEFAULTS = {
  "net.ipv4.ip_forward": "0",
  "net.ipv4.conf.all.forwarding": "0",
  "net.ipv4.conf.all.route_localnet": "0",
  "net.ipv4.conf.all.rp_filter": "0",
  "net.ipv4.conf.default.rp_filter": "0",
  "net.ipv4.conf.all.arp_ignore": "0",
  "net.ipv4.conf.default.arp_ignore": "0",
  "net.ipv6.conf.all.forwarding": "0",
  "net.ipv6.conf.all.disable_ipv6": "0",
  "net.ipv6.conf.default.forwarding": "0",
  "net.core.somaxconn": "4096",
  "net.netfilter.nf_conntrack_max": "131072",
  "vm.overcommit_memory": "1",
  "vm.max_map_count": "262144",
  "vm.panic_on_oom": "0",
  "kernel.panic": "0",
  "kernel.panic_on_oops": "1",
  "kernel.keys.root_maxkeys": "1000000",
  "kernel.keys.root_maxbytes": "25000000",
  "fs.inotify.max_user_watches": "8192",
  "fs.inotify.max_user_instances": "128",
  "fs.file-max": "9223372036854775807",
};

// Keys that only exist when the kernel has the feature built in (no modules in Apple's kernels).
const BRIDGE_KEYS = ["net.bridge.bridge-nf-call-iptables", "net.bridge.bridge-nf-call-ip6tables", "net.bridge.bridge-nf-call-arptables"];

function procPath(key) {
  return `/proc/sys/${key.replace(/\./g, "/")}`;
}

function knownDefault(rootfs, key) {
  if (BRIDGE_KEYS.includes(key)) return readKernelConfig(rootfs).has("BRIDGE_NETFILTER") ? "1" : undefined;
  return DEFAULTS[key];
}

function readKey(rootfs, key) {
  const st = statNode(rootfs, procPath(key));
  if (st && st.isFile()) return readNodeText(rootfs, procPath(key)).trim();
  return knownDefault(rootfs, key);
}

function writeKey(rootfs, key, value) {
  if (readKey(rootfs, key) === undefined) return false;
  writeNodeFile(rootfs, procPath(key), `${value}\n`);
  return true;
}

function cannotStat(key) {
  return `sysctl: cannot stat ${procPath(key)}: No such file or directory\n`;
}

function settingsFromFile(text) {
  const out = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    const eq = line.indexOf("=");
    if (eq === -1) continue;
    out.push([line.slice(0, eq).trim().replace(/^-/, ""), line.slice(eq + 1).trim()]);
  }
  return out;
}

export function sysctl(ctx, args) {
  let write = false;
  let valuesOnly = false;
  let quiet = false;
  let ignoreUnknown = false;
  let loadFiles = null;
  const operands = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "-w" || a === "--write") write = true;
    else if (a === "-n" || a === "--values") valuesOnly = true;
    else if (a === "-q" || a === "--quiet") quiet = true;
    else if (a === "-e" || a === "--ignore") ignoreUnknown = true;
    else if (a === "--system") loadFiles = "system";
    else if (a === "-p" || a === "--load") {
      loadFiles = [args[i + 1] && !args[i + 1].startsWith("-") ? args[++i] : "/etc/sysctl.conf"];
    } else if (a.startsWith("-p") && a.length > 2) loadFiles = [a.slice(2)];
    else if (a.startsWith("-")) return fail(255, `sysctl: invalid option -- '${a.replace(/^-+/, "")}'`);
    else operands.push(a);
  }

  let settings = [];
  if (loadFiles) {
    const files =
      loadFiles === "system" ? systemFiles(ctx.rootfs) : loadFiles.map((f) => path.posix.resolve("/", f));
    let out = "";
    let err = "";
    for (const file of files) {
      const st = statNode(ctx.rootfs, file);
      if (!st || !st.isFile()) {
        err += `sysctl: cannot open "${file}": No such file or directory\n`;
        continue;
      }
      if (loadFiles === "system") out += `* Applying ${file} ...\n`;
      settings = settings.concat(settingsFromFile(readNodeText(ctx.rootfs, file)));
    }
    const applied = apply(ctx, settings, { quiet, valuesOnly, ignoreUnknown });
    return { exitCode: err || applied.exitCode ? 255 : 0, stdout: out + applied.stdout, stderr: err + applied.stderr };
  }

  if (!operands.length) return fail(255, "sysctl: no variables specified\nTry `sysctl --help' for more information.");
  let out = "";
  let err = "";
  let exitCode = 0;
  for (const op of operands) {
    const eq = op.indexOf("=");
    if (eq === -1) {
      if (write) {
        err += `sysctl: "${op}" must be of the form name=value\n`;
        exitCode = 255;
        continue;
      }
      const value = readKey(ctx.rootfs, op);
      if (value === undefined) {
        if (!ignoreUnknown) {
          err += cannotStat(op);
          exitCode = 255;
        }
        continue;
      }
      out += valuesOnly ? `${value}\n` : `${op} = ${value}\n`;
    } else {
      const r = apply(ctx, [[op.slice(0, eq), op.slice(eq + 1)]], { quiet, valuesOnly, ignoreUnknown });
      out += r.stdout;
      err += r.stderr;
      if (r.exitCode) exitCode = r.exitCode;
    }
  }
  return { exitCode, stdout: out, stderr: err };
}

function apply(ctx, settings, { quiet, valuesOnly, ignoreUnknown }) {
  let out = "";
  let err = "";
  let exitCode = 0;
  for (const [key, value] of settings) {
    if (!writeKey(ctx.rootfs, key, value)) {
      if (!ignoreUnknown) {
        err += cannotStat(key);
        exitCode = 255;
      }
      continue;
    }
    if (!quiet) out += valuesOnly ? `${value}\n` : `${key} = ${value}\n`;
  }
  return { exitCode, stdout: out, stderr: err };
}

function systemFiles(rootfs) {
  const dirs = ["/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d", "/lib/sysctl.d"];
  const byName = new Map();
  for (const dir of dirs) {
    const st = statNode(rootfs, dir);
    if (!st || !st.isDirectory()) continue;
    for (const name of fs.readdirSync(hostPath(rootfs, dir)).sort()) {
      if (name.endsWith(".conf") && !byName.has(name)) byName.set(name, `${dir}/${name}`);
    }
  }
  const files = [...byName.keys()].sort().map((n) => byName.get(n));
  if (statNode(rootfs, "/etc/sysctl.conf")) files.push("/etc/sysctl.conf");
  return files;
}
