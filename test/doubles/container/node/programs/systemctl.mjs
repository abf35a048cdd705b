// systemd as seen through `systemctl`: unit states survive across execs in the node's state dir;
// containerd's socket appears and disappears with the unit.
import { ok, fail } from "../result.mjs";
import { readState, updateState } from "../fake-state.mjs";
import { existsNode, readNodeText, removeNode, writeNodeFile } from "../rootfs.mjs";
import { appendJournal, kubeletMissingConfig, normaliseUnit } from "./journal.mjs";
import { SOCKET_MARKER } from "./coreutils.mjs";

export const CONTAINERD_SOCKET = "/run/containerd/containerd.sock";
const KUBELET_CONFIG = "/var/lib/kubelet/config.yaml";

const KNOWN_UNITS = {
  "containerd.service": { description: "containerd container runtime", file: "/etc/systemd/system/containerd.service", initial: "active", enabled: true },
  "kubelet.service": { description: "kubelet: The Kubernetes Node Agent", file: "/etc/systemd/system/kubelet.service", initial: "activating", enabled: true },
  "undo-mount-hacks.service": { description: "Undo KIND mount hacks", file: "/etc/systemd/system/undo-mount-hacks.service", initial: "inactive", enabled: true },
  "systemd-journald.service": { description: "Journal Service", file: "/usr/lib/systemd/system/systemd-journald.service", initial: "active", enabled: true },
};

const STATE = "systemd.json";

/** A unit kindest/node ships, or one whose file was written to /etc/systemd/system (kina-lb). */
function unitDef(rootfs, name) {
  if (KNOWN_UNITS[name]) return KNOWN_UNITS[name];
  const file = `/etc/systemd/system/${name}`;
  if (!name.endsWith(".service") || !existsNode(rootfs, file)) return undefined;
  const text = readNodeText(rootfs, file);
  return { description: /^Description=(.*)$/m.exec(text)?.[1] ?? name, file, initial: "inactive", enabled: false };
}

function unitRecord(state, rootfs, name) {
  return state.units[name] ?? { active: unitDef(rootfs, name)?.initial ?? "inactive", enabled: false };
}

function initialUnits() {
  const units = {};
  for (const [name, u] of Object.entries(KNOWN_UNITS)) units[name] = { active: u.initial, enabled: u.enabled };
  return { units };
}

export function unitState(rootfs, unit) {
  const name = normaliseUnit(unit);
  if (!unitDef(rootfs, name)) return "inactive";
  const state = readState(rootfs, STATE, initialUnits);
  return state.units[name]?.active ?? "inactive";
}

/** Used by kubeadm: (re)start or stop a unit with the same effects as systemctl. */
export function setUnit(rootfs, unit, action) {
  const name = normaliseUnit(unit);
  let journal = [];
  let active;
  if (action === "stop") {
    active = "inactive";
    journal.push({ unit: name, ident: "systemd", msg: `Stopped ${name} - ${unitDef(rootfs, name)?.description ?? name}.` });
    if (name === "containerd.service") removeNode(rootfs, CONTAINERD_SOCKET);
  } else {
    active = "active";
    if (name === "containerd.service") writeNodeFile(rootfs, CONTAINERD_SOCKET, `${SOCKET_MARKER} (containerd)\n`);
    if (name === "kubelet.service" && !existsNode(rootfs, KUBELET_CONFIG)) {
      // Like kindest/node before kubeadm: kubelet crash-loops waiting for its config.
      active = "activating";
      journal = journal.concat(kubeletMissingConfig());
    }
    journal.unshift({ unit: name, ident: "systemd", msg: `Started ${name} - ${unitDef(rootfs, name)?.description ?? name}.` });
  }
  updateState(rootfs, STATE, initialUnits, (s) => {
    s.units[name] = { ...unitRecord(s, rootfs, name), active };
    return s;
  });
  appendJournal(rootfs, journal);
}

const VERBS_WITH_UNITS = ["start", "stop", "restart", "reload", "enable", "disable", "is-active", "is-enabled", "status"];

export function systemctl(ctx, args) {
  let quiet = false;
  let now = false;
  const words = [];
  for (const a of args) {
    if (a === "-q" || a === "--quiet") quiet = true;
    else if (a === "--now") now = true;
    else if (a === "--no-pager" || a === "--no-block" || a === "--no-ask-password" || a === "--system") continue;
    else if (a.startsWith("-")) return fail(1, `systemctl: unrecognized option '${a}'`);
    else words.push(a);
  }
  const [verb, ...units] = words;
  if (!verb) return fail(1, "systemctl: fake node supports only start|stop|restart|enable|disable|daemon-reload|is-active|is-enabled|status");
  if (verb === "daemon-reload") {
    if (units.length) return fail(1, `Too many arguments.`);
    appendJournal(ctx.rootfs, [{ unit: "", ident: "systemd", msg: "Reloading finished." }]);
    return ok();
  }
  if (!VERBS_WITH_UNITS.includes(verb)) return fail(1, `Unknown command verb '${verb}'.`);
  if (!units.length) return fail(1, `Too few arguments.`);

  const state = readState(ctx.rootfs, STATE, initialUnits);
  let out = "";
  let err = "";
  let exitCode = 0;
  for (const raw of units) {
    const name = normaliseUnit(raw);
    const known = unitDef(ctx.rootfs, name);
    switch (verb) {
      case "is-active": {
        const active = known ? unitRecord(state, ctx.rootfs, name).active : "inactive";
        if (!quiet) out += `${active}\n`;
        if (active !== "active") exitCode = 3;
        break;
      }
      case "is-enabled": {
        if (!known) {
          err += `Failed to get unit file state for ${name}: No such file or directory\n`;
          exitCode = 1;
          break;
        }
        const enabled = unitRecord(state, ctx.rootfs, name).enabled ? "enabled" : "disabled";
        if (!quiet) out += `${enabled}\n`;
        if (enabled !== "enabled") exitCode = 1;
        break;
      }
      case "status": {
        if (!known) {
          err += `Unit ${name} could not be found.\n`;
          exitCode = 4;
          break;
        }
        const u = unitRecord(state, ctx.rootfs, name);
        const shown = u.active === "active" ? "active (running)" : u.active === "activating" ? "activating (auto-restart) (Result: exit-code)" : "inactive (dead)";
        out += `● ${name} - ${known.description}\n     Loaded: loaded (${known.file}; ${u.enabled ? "enabled" : "disabled"}; preset: enabled)\n     Active: ${shown}\n`;
        if (u.active !== "active") exitCode = 3;
        break;
      }
      case "enable":
      case "disable": {
        if (!known) {
          err += `Failed to ${verb} unit: Unit ${name} does not exist\n`;
          exitCode = 1;
          break;
        }
        updateState(ctx.rootfs, STATE, initialUnits, (s) => {
          s.units[name] = { ...unitRecord(s, ctx.rootfs, name), enabled: verb === "enable" };
          return s;
        });
        if (now) setUnit(ctx.rootfs, name, verb === "enable" ? "start" : "stop");
        break;
      }
      default: {
        if (!known) {
          const verbWord = { start: "start", stop: "stop", restart: "restart", reload: "reload" }[verb];
          err += `Failed to ${verbWord} ${name}: Unit ${name} not found.\n`;
          exitCode = 5;
          break;
        }
        setUnit(ctx.rootfs, name, verb === "stop" ? "stop" : "start");
      }
    }
  }
  return { exitCode, stdout: out, stderr: err };
}

export function socketPresent(rootfs) {
  return existsNode(rootfs, CONTAINERD_SOCKET) && unitState(rootfs, "containerd") === "active";
}

