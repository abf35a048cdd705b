// Container lifecycle commands: run, create, start, stop, kill, delete, list, inspect, logs, exec.
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { flag, option } from "./argv.mjs";
import { buildConfiguration, nameValid, readEnvFiles, processUser } from "./container-config.mjs";
import { AggregateFailure, CzError, UsageError, serviceDown, serviceDownEach } from "./errors.mjs";
import { fetchImage } from "./images.mjs";
import { allocate, ensureDefaultNetwork, releaseAll } from "./ipam.mjs";
import { encodePretty, isoNow } from "./json.mjs";
import { emit, renderList, tableOrQuiet } from "./output.mjs";
import {
  formatOption, imageFetchOptions, managementOptions, processOptions, progressOptions, registryOptions, resourceOptions,
} from "./specs.mjs";
import { containerDir, mutate, readState, rootfsDir } from "./store.mjs";
import { bootNode } from "../node/boot.mjs";
import { bootKernelConfig } from "./kernels.mjs";

const NODE_ROOTFS = fileURLToPath(new URL("../node-rootfs/", import.meta.url));
const NODE_EXEC = new URL("../node/exec.mjs", import.meta.url);
const LIST_FAILED = "failed to list containers";

function requireService(ctx, wrapMessage) {
  if (!ctx.serviceUp) throw serviceDown(wrapMessage);
}

/** ManagedContainer JSON (reference §4.1). */
export function managedContainer(record) {
  return {
    configuration: record.configuration,
    id: record.id,
    status: { networks: record.networks, startedDate: record.startedDate, state: record.state },
  };
}

function appendLog(ctx, id, file, lines) {
  const dir = containerDir(ctx.dir, id);
  mkdirSync(dir, { recursive: true });
  appendFileSync(join(dir, file), lines.map((l) => `${l}\n`).join(""));
}

/** Boots the VM: leases an address on every attached network and marks the container running. */
function bootstrap(ctx, state, record) {
  record.networks = record.configuration.networks.map((attachment) =>
    allocate(
      state,
      attachment.network,
      {
        containerId: record.id,
        hostname: attachment.options.hostname,
        macAddress: attachment.options.macAddress,
        mtu: attachment.options.mtu,
      },
      ctx.env,
    ),
  );
  record.state = "running";
  record.startedDate = isoNow();
  bootNode(rootfsDir(ctx.dir, record.id), record.id, record.networks[0]?.ipv4Address?.split("/")[0]);
  const init = record.configuration.initProcess;
  appendLog(ctx, record.id, "boot.log", [
    `[    0.000000] Linux version 6.12.28 (fake kernel of the kina container test double)`,
    `[    0.120000] vminitd: starting container ${record.id}`,
  ]);
  appendLog(ctx, record.id, "stdio.log", [`${init.executable} ${init.arguments.join(" ")}`.trim()]);
}

function stopRecord(state, record) {
  releaseAll(state, record.id);
  record.state = "stopped";
  record.networks = [];
}

function removeRecord(ctx, state, record) {
  releaseAll(state, record.id);
  delete state.containers[record.id];
  rmSync(containerDir(ctx.dir, record.id), { recursive: true, force: true });
}

function seedRootfs(ctx, id, image, kernelPath) {
  const target = rootfsDir(ctx.dir, id);
  rmSync(containerDir(ctx.dir, id), { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  if (image.node && existsSync(NODE_ROOTFS)) cpSync(NODE_ROOTFS, target, { recursive: true });
  // The node's Kubernetes version: a built kina image records it; a kindest/node:vX.Y.Z tag names it.
  const version = image.kubernetesVersion ?? /:(v\d+\.\d+\.\d+[^@]*)/.exec(image.reference ?? "")?.[1];
  if (image.node && version) writeFileSync(join(target, "kind", "version"), `${version}\n`);
  // /proc/config.gz is the booted kernel's (`-k`, else the default one), so tests swap kernels
  // the way a user does: `container system kernel set`, or a per-node kernel.
  const kernelConfig = image.node ? bootKernelConfig(ctx, kernelPath) : undefined;
  if (kernelConfig) writeFileSync(join(target, "proc", "config.gz"), kernelConfig);
}

function runOrCreate(ctx, v, isRun) {
  if (v.noDns && (v.dns.length > 0 || v.dnsDomain !== undefined || v.dnsOption.length > 0 || v.dnsSearch.length > 0)) {
    const name = isRun ? "run" : "create";
    throw new UsageError(
      "`--no-dns` cannot be used with DNS configuration flags (`--dns`, `--dns-domain`, `--dns-option`, `--dns-search`)",
      `Usage: container ${name} [<options>] <image> [<arguments> ...]\n  See 'container ${name} --help' for more information.`,
    );
  }
  // loadContainerSystemConfig() pings the apiserver before anything else.
  requireService(ctx, null);
  const id = v.name ?? randomUUID().toLowerCase();
  if (!nameValid(id)) throw new CzError("invalidArgument", `container ID ${id} is not a valid container ID`);
  if (isRun && readState(ctx.dir).containers[id]) {
    throw new CzError("exists", `container with id ${id} already exists`);
  }
  const values = { ...v, envFileEntries: readEnvFiles(v.envFile, ctx.env, (p) => readFileSync(p, "utf8")) };
  // The pull persists even when creating the container fails afterwards.
  const image = mutate(ctx.dir, (state) => fetchImage(state, v.image));
  mutate(ctx.dir, (state) => {
    ensureDefaultNetwork(state);
    const configuration = buildConfiguration({ id, values, image, state, env: ctx.env, stateDir: ctx.dir });
    if (state.containers[id]) throw new CzError("exists", `container already exists: ${id}`);
    const taken = new Set(Object.values(state.containers).flatMap((c) => c.configuration.networks.map((n) => n.options.hostname)));
    const clashes = configuration.networks.map((n) => n.options.hostname).filter((h) => taken.has(h));
    if (clashes.length > 0) {
      throw new CzError("exists", `hostname(s) already exist: [${clashes.map((h) => `"${h}"`).join(", ")}]`);
    }
    const minimum = 200 * 1024 * 1024;
    if (configuration.resources.memoryInBytes < minimum) {
      throw new CzError(
        "invalidArgument",
        `minimum memory amount allowed is 200 MiB (got ${configuration.resources.memoryInBytes} bytes)`,
      );
    }
    const record = {
      id,
      configuration,
      state: "stopped",
      networks: [],
      startedDate: undefined,
      autoRemove: Boolean(v.remove),
      node: image.node,
    };
    state.containers[id] = record;
    seedRootfs(ctx, id, image, v.kernel === undefined ? undefined : resolve(v.kernel));
    if (isRun) bootstrap(ctx, state, record);
  });
  if (v.cidfile) writeFileSync(v.cidfile, id, { mode: 0o644 });
  // A foreground `run` of a node image would block on systemd forever; the double returns at once.
  if (!isRun || v.detach) emit(ctx, id);
  return 0;
}

function getOrFail(state, id) {
  const record = state.containers[id];
  if (!record) throw new CzError("notFound", `get failed: container ${id} not found`);
  return record;
}

function notFoundCause(id) {
  return new CzError("notFound", `container with ID ${id} not found`);
}

function requireIdsOrAll(v, conflictMessage) {
  if (v.ids.length === 0 && !v.all) throw new CzError("invalidArgument", "no containers specified and --all not supplied");
  if (v.ids.length > 0 && v.all) throw new CzError("invalidArgument", conflictMessage);
}

function start(ctx, v) {
  requireService(ctx, LIST_FAILED);
  const detach = !v.attach && !v.interactive;
  mutate(ctx.dir, (state) => {
    const record = getOrFail(state, v.id);
    if (record.state === "running") {
      if (!detach) throw new CzError("invalidArgument", "attach is currently unsupported on already running containers");
      return;
    }
    for (const mount of record.configuration.mounts) {
      if (mount.type.virtiofs && !existsSync(mount.source)) {
        throw new CzError("invalidState", `mount source path '${mount.source}' does not exist`);
      }
    }
    bootstrap(ctx, state, record);
  });
  if (detach) emit(ctx, v.id);
  return 0;
}

function stop(ctx, v) {
  requireIdsOrAll(v, "explicitly supplied container IDs conflict with the --all flag");
  if (!ctx.serviceUp) throw v.all ? serviceDown(LIST_FAILED) : serviceDownEach("failed to stop container", v.ids.length);
  const errors = [];
  mutate(ctx.dir, (state) => {
    const ids = v.all ? Object.keys(state.containers) : v.ids;
    for (const id of ids) {
      const record = state.containers[id];
      if (!record) {
        errors.push(new CzError("internalError", "failed to stop container", notFoundCause(id)));
        continue;
      }
      if (record.state === "running") stopRecord(state, record);
      if (record.autoRemove) removeRecord(ctx, state, record);
      emit(ctx, id);
    }
  });
  if (errors.length > 0) throw new AggregateFailure(errors);
  return 0;
}

const STOPPING_SIGNALS = new Set(["KILL", "SIGKILL", "9", "RTMIN+3", "SIGRTMIN+3"]);
const STOPPING_SIGNALS_PLAIN = new Set(["TERM", "SIGTERM", "15", "INT", "SIGINT", "2"]);

function kill(ctx, v) {
  requireIdsOrAll(v, "explicitly supplied container IDs conflict with the --all flag");
  if (!ctx.serviceUp) throw v.all ? serviceDown(LIST_FAILED) : serviceDownEach("failed to kill container", v.ids.length);
  const errors = [];
  const signal = v.signal.toUpperCase();
  mutate(ctx.dir, (state) => {
    const ids = v.all ? Object.values(state.containers).filter((c) => c.state === "running").map((c) => c.id) : v.ids;
    for (const id of ids) {
      const record = state.containers[id];
      if (!record) {
        errors.push(new CzError("internalError", "failed to kill container", notFoundCause(id)));
        continue;
      }
      if (record.state !== "running") {
        const cause = new CzError("invalidState", "no runtime client exists: container is stopped");
        errors.push(new CzError("internalError", "failed to kill container", cause));
        continue;
      }
      // systemd (node images) ignores SIGTERM/SIGINT; other workloads exit on them.
      if (STOPPING_SIGNALS.has(signal) || (!record.node && STOPPING_SIGNALS_PLAIN.has(signal))) {
        stopRecord(state, record);
        if (record.autoRemove) removeRecord(ctx, state, record);
      }
      emit(ctx, id);
    }
  });
  if (errors.length > 0) throw new AggregateFailure(errors);
  return 0;
}

function remove(ctx, v) {
  requireIdsOrAll(v, "explicitly supplied container ID(s) conflict with the --all flag");
  const ids = [...new Set(v.ids)];
  if (!ctx.serviceUp) throw v.all ? serviceDown(LIST_FAILED) : serviceDownEach("failed to delete container", ids.length);
  const errors = [];
  mutate(ctx.dir, (state) => {
    const targets = v.all
      ? Object.values(state.containers).filter((c) => c.state !== "running" || v.force).map((c) => c.id)
      : ids;
    for (const id of targets) {
      const record = state.containers[id];
      if (!record) {
        errors.push(new CzError("internalError", "failed to delete container", notFoundCause(id)));
        continue;
      }
      if (record.state === "running" && !v.force) {
        const cause = new CzError("invalidState", `container ${id} is running and can not be deleted`);
        errors.push(new CzError("internalError", "failed to delete container", cause));
        continue;
      }
      removeRecord(ctx, state, record);
      emit(ctx, id);
    }
  });
  if (errors.length > 0) throw new AggregateFailure(errors);
  return 0;
}

function list(ctx, v) {
  requireService(ctx, LIST_FAILED);
  const records = Object.values(readState(ctx.dir).containers).filter((c) => v.all || c.state === "running");
  const items = records.map(managedContainer);
  renderList(ctx, v.format, items, () =>
    tableOrQuiet(
      ["ID", "IMAGE", "OS", "ARCH", "STATE", "IP", "CPUS", "MEMORY", "STARTED"],
      items.map((c) => [
        c.id,
        c.configuration.image.reference,
        c.configuration.platform.os,
        c.configuration.platform.architecture,
        c.status.state,
        c.status.networks.map((n) => n.ipv4Address).join(","),
        String(c.configuration.resources.cpus),
        `${Math.floor(c.configuration.resources.memoryInBytes / (1024 * 1024))} MB`,
        c.status.startedDate ?? "",
      ]),
      v.quiet,
      (row) => row[0],
    ),
  );
  return 0;
}

function inspect(ctx, v) {
  requireService(ctx, LIST_FAILED);
  const wanted = new Set(v.ids);
  const found = Object.values(readState(ctx.dir).containers).filter((c) => wanted.has(c.id));
  if (found.length !== wanted.size) {
    const have = new Set(found.map((c) => c.id));
    const missing = [...wanted].filter((id) => !have.has(id)).sort();
    throw new CzError("notFound", `container not found: ${missing.join(", ")}`);
  }
  emit(ctx, encodePretty(found.map(managedContainer)));
  return 0;
}

function logs(ctx, v) {
  if (!ctx.serviceUp) throw serviceDown(`failed to get logs for container ${v.id}`);
  const record = readState(ctx.dir).containers[v.id];
  if (!record) {
    const inner = new CzError("internalError", `failed to open container logs: notFound: "container with ID ${v.id} not found"`);
    throw new CzError("internalError", `failed to get logs for container ${v.id}`, inner);
  }
  const file = join(containerDir(ctx.dir, v.id), v.boot ? "boot.log" : "stdio.log");
  const text = existsSync(file) ? readFileSync(file, "utf8") : "";
  if (v.numLines !== undefined) {
    const lines = v.numLines > 0 ? text.split(/\r?\n/).filter(Boolean).slice(-v.numLines) : [];
    for (const line of lines) ctx.out(`${line}\n`);
    return 0;
  }
  // `--follow` would stream forever; the double prints what exists and returns.
  if (text.length > 0) ctx.out(`${text.replace(/^\n+|\n+$/g, "")}\n`);
  return 0;
}

async function readAllStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function loadExecInNode() {
  try {
    return (await import(NODE_EXEC.href)).execInNode;
  } catch (error) {
    if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("node/exec.mjs")) return null;
    throw error;
  }
}

async function exec(ctx, v) {
  requireService(ctx, LIST_FAILED);
  const state = readState(ctx.dir);
  const record = getOrFail(state, v.id);
  if (record.state !== "running") throw new CzError("invalidState", `container ${v.id} is not running`);
  const [executable] = v.arguments;
  if (!executable) throw new CzError("invalidArgument", "no command specified for exec");
  const execInNode = await loadExecInNode();
  if (!execInNode) {
    ctx.err("fake container: test/doubles/container/node/exec.mjs is missing, cannot exec\n");
    return 127;
  }
  const init = record.configuration.initProcess;
  const env = [...init.environment, ...readEnvFiles(v.envFile, ctx.env, (p) => readFileSync(p, "utf8"))];
  for (const entry of v.env) {
    if (entry.includes("=")) env.push(entry);
    else if (ctx.env[entry] !== undefined) env.push(`${entry}=${ctx.env[entry]}`);
  }
  const node = {
    id: record.id,
    rootfs: rootfsDir(ctx.dir, record.id),
    stateDir: containerDir(ctx.dir, record.id),
    ip: record.networks[0]?.ipv4Address.split("/")[0] ?? null,
    publishedPorts: record.configuration.publishedPorts.map(({ hostAddress, hostPort, containerPort, proto }) => ({
      hostAddress, hostPort, containerPort, proto,
    })),
    labels: record.configuration.labels,
    clusterStateDir: ctx.dir,
  };
  const stdin = v.interactive ? await readAllStdin() : undefined;
  const { user } = processUser(v, init.user);
  const result = await execInNode(node, v.arguments, stdin, {
    env,
    workdir: v.cwd ?? init.workingDirectory,
    user,
    interactive: Boolean(v.interactive),
    tty: Boolean(v.tty),
    detach: Boolean(v.detach),
  });
  if (v.detach) {
    emit(ctx, v.id);
    return 0;
  }
  ctx.out(result.stdout ?? "");
  // With a TTY the process's stderr arrives merged into stdout.
  if (v.tty) ctx.out(result.stderr ?? "");
  else ctx.err(result.stderr ?? "");
  return result.exitCode ?? 127;
}

const runOptions = [...processOptions, ...resourceOptions, ...managementOptions, ...registryOptions, ...imageFetchOptions];
const imagePositionals = [
  { key: "image", name: "<image>", required: true },
  { key: "arguments", name: "<arguments> ...", passthrough: true },
];
const idsPositional = [{ key: "ids", name: "<container-ids> ...", variadic: true }];

export const containerCommands = {
  run: {
    usage: "container run [<options>] <image> [<arguments> ...]",
    options: [...runOptions, ...progressOptions],
    positionals: imagePositionals,
    handler: (ctx, v) => runOrCreate(ctx, v, true),
  },
  create: {
    usage: "container create [<options>] <image> [<arguments> ...]",
    options: runOptions,
    positionals: imagePositionals,
    handler: (ctx, v) => runOrCreate(ctx, v, false),
  },
  start: {
    usage: "container start [--attach] [--interactive] [--debug] <container-id>",
    options: [flag("a", "--attach", "attach"), flag("i", "--interactive", "interactive")],
    positionals: [{ key: "id", name: "<container-id>", required: true }],
    handler: start,
  },
  stop: {
    usage: "container stop [--all] [--signal <signal>] [--time <time>] [--debug] [<container-ids> ...]",
    options: [flag("a", "--all", "all"), option("s", "--signal", "signal"), option("t", "--time", "time", { type: "int", default: 5 })],
    positionals: idsPositional,
    handler: stop,
  },
  kill: {
    usage: "container kill [--all] [--signal <signal>] [--debug] [<container-ids> ...]",
    options: [flag("a", "--all", "all"), option("s", "--signal", "signal", { default: "KILL" })],
    positionals: idsPositional,
    handler: kill,
  },
  delete: {
    aliases: ["rm"],
    usage: "container delete [--all] [--force] [--debug] [<container-ids> ...]",
    options: [flag("a", "--all", "all"), flag("f", "--force", "force")],
    positionals: idsPositional,
    handler: remove,
  },
  list: {
    aliases: ["ls"],
    usage: "container list [--all] [--format <format>] [--quiet] [--debug]",
    options: [flag("a", "--all", "all"), formatOption, flag("q", "--quiet", "quiet")],
    positionals: [],
    handler: list,
  },
  inspect: {
    usage: "container inspect [--debug] <container-ids> ...",
    options: [],
    positionals: [{ key: "ids", name: "<container-ids> ...", variadic: true, required: true }],
    handler: inspect,
  },
  logs: {
    usage: "container logs [--boot] [--follow] [-n <n>] [--debug] <container-id>",
    options: [flag(null, "--boot", "boot"), flag("f", "--follow", "follow"), option("n", [], "numLines", { type: "int", valueName: "n" })],
    positionals: [{ key: "id", name: "<container-id>", required: true }],
    handler: logs,
  },
  exec: {
    usage: "container exec [<options>] <container-id> <arguments> ...",
    options: [...processOptions, flag("d", "--detach", "detach")],
    positionals: [
      { key: "id", name: "<container-id>", required: true },
      { key: "arguments", name: "<arguments> ...", passthrough: true, required: true },
    ],
    handler: exec,
  },
};
