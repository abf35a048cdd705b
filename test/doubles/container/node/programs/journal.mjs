// The node's systemd journal: programs append entries, `journalctl` prints them.
import { ok, fail } from "../result.mjs";
import { appendStateLine, readStateLines, withLock } from "../fake-state.mjs";

const JOURNAL = "journal.jsonl";

function bootEntries() {
  const t = Date.now();
  return [
    { ts: t, unit: "", ident: "systemd", pid: 1, msg: "systemd 257 running in system mode (+PAM +AUDIT +SECCOMP)." },
    { ts: t, unit: "", ident: "systemd", pid: 1, msg: "Detected virtualization vm-other." },
    { ts: t, unit: "containerd.service", ident: "systemd", pid: 1, msg: "Starting containerd.service - containerd container runtime..." },
    { ts: t, unit: "containerd.service", ident: "containerd", pid: 101, msg: 'level=info msg="serving..." address=/run/containerd/containerd.sock' },
    { ts: t, unit: "containerd.service", ident: "systemd", pid: 1, msg: "Started containerd.service - containerd container runtime." },
    { ts: t, unit: "kubelet.service", ident: "systemd", pid: 1, msg: "Started kubelet.service - kubelet: The Kubernetes Node Agent." },
    ...kubeletMissingConfig(t),
  ];
}

export function kubeletMissingConfig(ts = Date.now()) {
  return [
    {
      ts,
      unit: "kubelet.service",
      ident: "kubelet",
      pid: 120,
      msg:
        'E0101 00:00:00.000000     120 run.go:72] "command failed" err="failed to load kubelet config file, path: /var/lib/kubelet/config.yaml, error: open /var/lib/kubelet/config.yaml: no such file or directory"',
    },
    { ts, unit: "kubelet.service", ident: "systemd", pid: 1, msg: "kubelet.service: Main process exited, code=exited, status=1/FAILURE" },
  ];
}

function ensureBooted(rootfs) {
  withLock(rootfs, () => {
    if (readStateLines(rootfs, JOURNAL).length === 0) {
      for (const e of bootEntries()) appendStateLine(rootfs, JOURNAL, e);
    }
  });
}

export function appendJournal(rootfs, entries) {
  ensureBooted(rootfs);
  for (const e of entries) appendStateLine(rootfs, JOURNAL, { ts: Date.now(), pid: 1, ...e });
}

function render(entry, host) {
  const d = new Date(entry.ts);
  const month = d.toLocaleString("en-US", { month: "short", timeZone: "UTC" });
  const time = d.toISOString().slice(11, 19);
  return `${month} ${String(d.getUTCDate()).padStart(2, " ")} ${time} ${host} ${entry.ident}[${entry.pid}]: ${entry.msg}`;
}

export function journalctl(ctx, args) {
  const units = [];
  let lines = Infinity;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--no-pager" || a === "-b" || a === "--boot" || a === "-q" || a === "--quiet" || a === "--no-hostname" || a === "-a" || a === "--all") continue;
    if (a === "-u" || a === "--unit") {
      if (args[i + 1] === undefined) return fail(1, `journalctl: option '${a}' requires an argument`);
      units.push(normaliseUnit(args[++i]));
    } else if (a.startsWith("--unit=")) {
      units.push(normaliseUnit(a.slice(7)));
    } else if (a.startsWith("-u") && a.length > 2) {
      units.push(normaliseUnit(a.slice(2)));
    } else if (a === "-n" || a === "--lines") {
      lines = Number(args[++i]);
    } else if (a.startsWith("--lines=")) {
      lines = Number(a.slice(8));
    } else if (/^-n\d+$/.test(a)) {
      lines = Number(a.slice(2));
    } else {
      return fail(1, `journalctl: unrecognized option '${a}'`);
    }
    if (Number.isNaN(lines)) return fail(1, "Failed to parse lines");
  }
  ensureBooted(ctx.rootfs);
  let entries = readStateLines(ctx.rootfs, JOURNAL);
  if (units.length) entries = entries.filter((e) => units.includes(e.unit));
  if (Number.isFinite(lines)) entries = entries.slice(Math.max(0, entries.length - lines));
  if (entries.length === 0) return ok("-- No entries --\n");
  return ok(entries.map((e) => render(e, ctx.node.id)).join("\n") + "\n");
}

export function normaliseUnit(name) {
  return name.includes(".") ? name : `${name}.service`;
}
