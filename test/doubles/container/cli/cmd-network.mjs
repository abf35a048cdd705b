// `container network …` (macOS 26 only): create, list, inspect, delete, prune.
import { flag, option } from "./argv.mjs";
import { CzError, serviceDown } from "./errors.mjs";
import { createNetwork, ensureDefaultNetwork, hasLeases, networkResource, parseCidr } from "./ipam.mjs";
import { encodePretty } from "./json.mjs";
import { emit, renderList, tableOrQuiet } from "./output.mjs";
import { formatOption } from "./specs.mjs";
import { mutate, readState } from "./store.mjs";

const NAME_PATTERN = /^[a-z0-9](?:[a-z0-9._-]{0,61}[a-z0-9])?$/;

function requireService(ctx) {
  if (!ctx.serviceUp) throw serviceDown(null);
}

function keyValues(list) {
  const result = {};
  for (const pair of list) {
    const parts = pair.split("=").filter((p) => p !== "");
    if (parts.length >= 2) result[parts[0]] = parts.slice(1).join("=");
    else result[pair] = "";
  }
  return result;
}

function swiftArray(items) {
  return `[${items.map((i) => `"${i}"`).join(", ")}]`;
}

function sortedNetworks(state) {
  ensureDefaultNetwork(state);
  return Object.values(state.networks).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function create(ctx, v) {
  if (!NAME_PATTERN.test(v.name)) throw new CzError("invalidArgument", `invalid network name: ${v.name}`);
  // Resource label keys are checked (ResourceLabels.swift): no '_' and no '..' (reference §13; the
  // exact wording of the real error is not in the reference).
  for (const key of Object.keys(keyValues(v.label))) {
    if (key.includes("_") || key.includes("..") || key === "") throw new CzError("invalidArgument", `invalid label key: ${key}`);
  }
  requireService(ctx);
  mutate(ctx.dir, (state) =>
    createNetwork(state, {
      name: v.name,
      subnet: v.subnet,
      hostOnly: v.internal,
      labels: keyValues(v.label),
      options: keyValues(v.option),
      plugin: v.plugin,
    }),
  );
  emit(ctx, v.name);
  return 0;
}

function list(ctx, v) {
  requireService(ctx);
  const networks = sortedNetworks(readState(ctx.dir)).map((n) => networkResource(n, ctx.env));
  renderList(ctx, v.format, networks, () =>
    tableOrQuiet(["NETWORK", "SUBNET"], networks.map((n) => [n.id, n.status.ipv4Subnet]), v.quiet, (row) => row[0]),
  );
  return 0;
}

function inspect(ctx, v) {
  requireService(ctx);
  const wanted = new Set(v.names);
  const found = sortedNetworks(readState(ctx.dir)).filter((n) => wanted.has(n.name));
  if (found.length !== wanted.size) {
    const have = new Set(found.map((n) => n.name));
    throw new CzError("notFound", `network not found: ${[...wanted].filter((n) => !have.has(n)).sort().join(", ")}`);
  }
  emit(ctx, encodePretty(found.map((n) => networkResource(n, ctx.env))));
  return 0;
}

function remove(ctx, v) {
  if (v.names.length === 0 && !v.all) throw new CzError("invalidArgument", "no networks specified and --all not supplied");
  if (v.names.length > 0 && v.all) {
    throw new CzError("invalidArgument", "explicitly supplied network name(s) conflict with the --all flag");
  }
  requireService(ctx);
  const failed = [];
  mutate(ctx.dir, (state) => {
    const all = sortedNetworks(state);
    const unique = [...new Set(v.names)];
    let targets;
    if (v.all) targets = all.filter((n) => !n.builtin);
    else {
      targets = all.filter((n) => unique.includes(n.name));
      const builtin = targets.find((n) => n.builtin);
      if (builtin) throw new CzError("invalidArgument", `cannot delete a builtin network: ${builtin.name}`);
      if (targets.length !== unique.length) {
        const missing = unique.filter((name) => !targets.some((n) => n.name === name));
        throw new CzError("notFound", `failed to delete one or more networks: ${swiftArray(missing)}`);
      }
    }
    for (const network of targets) {
      // Any container that references the network blocks the delete, stopped ones too (reference
      // §13, NetworksService.swift), not only those holding a lease.
      const users = Object.values(state.containers).filter(
        (c) => c.networks.some((a) => a.network === network.name) || (c.configuration?.networks ?? []).some((a) => a.network === network.name),
      );
      if (users.length > 0 || hasLeases(state, network.name)) {
        ctx.err(
          `error: failed to delete network id=${network.name} error=invalidState: "cannot delete subnet ${network.name} with referring containers: ${users.map((c) => c.id).join(", ")}"\n`,
        );
        failed.push(network.name);
        continue;
      }
      delete state.networks[network.name];
      delete state.ipam[network.name];
      emit(ctx, network.name);
    }
  });
  if (failed.length > 0) throw new CzError("internalError", `delete failed for one or more networks: ${swiftArray(failed)}`);
  return 0;
}

function prune(ctx) {
  requireService(ctx);
  mutate(ctx.dir, (state) => {
    for (const network of sortedNetworks(state)) {
      const used = Object.values(state.containers).some((c) => c.configuration.networks.some((a) => a.network === network.name));
      if (network.builtin || used) continue;
      delete state.networks[network.name];
      delete state.ipam[network.name];
      emit(ctx, network.name);
    }
  });
  return 0;
}

function cidr(text) {
  parseCidr(text);
  return text;
}

export const networkGroup = {
  name: "network",
  aliases: ["n"],
  usage: "container network <subcommand>",
  subcommands: {
    create: {
      usage: "container network create [<options>] <name>",
      options: [
        flag(null, "--internal", "internal"),
        option(null, "--label", "label", { multi: true }),
        option(null, "--option", "option", { multi: true }),
        option(null, "--plugin", "plugin", { default: "container-network-vmnet" }),
        option(null, "--subnet", "subnet", { transform: cidr }),
        option(null, "--subnet-v6", "subnetV6"),
      ],
      positionals: [{ key: "name", name: "<name>", required: true }],
      handler: create,
    },
    list: {
      aliases: ["ls"],
      usage: "container network list [--format <format>] [--quiet] [--debug]",
      options: [formatOption, flag("q", "--quiet", "quiet")],
      handler: list,
    },
    inspect: {
      usage: "container network inspect <networks> ... [--debug]",
      options: [],
      positionals: [{ key: "names", name: "<networks> ...", variadic: true, required: true }],
      handler: inspect,
    },
    delete: {
      aliases: ["rm"],
      usage: "container network delete [--all] [--debug] [<network-names> ...]",
      options: [flag("a", "--all", "all")],
      positionals: [{ key: "names", name: "<network-names> ...", variadic: true }],
      handler: remove,
    },
    prune: { usage: "container network prune [--debug]", options: [], handler: prune },
  },
};
