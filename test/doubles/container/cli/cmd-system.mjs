// `container system …`: start/stop the pretend apiserver (the `service-stopped` marker file),
// status and version.
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { flag, option } from "./argv.mjs";
import { CzError, UsageError } from "./errors.mjs";
import { releaseAll } from "./ipam.mjs";
import { encodeCompact } from "./json.mjs";
import { emit } from "./output.mjs";
import { HOST_ARCH, RELEASE_COMMIT, cliVersion, nestedSystemStatus } from "./platform.mjs";
import { mutate, readState } from "./store.mjs";
import { renderTable } from "./table.mjs";

export const SERVICE_STOPPED = "service-stopped";

function stopAllContainers(state) {
  for (const record of Object.values(state.containers)) {
    releaseAll(state, record.id);
    record.state = "stopped";
    record.networks = [];
  }
}

function start(ctx, v) {
  if (v.timeout !== undefined && !Number.isFinite(Number(v.timeout))) {
    throw new UsageError(`Invalid timeout value: ${v.timeout}`, "Usage: container system start [<options>]\n  See 'container system start --help' for more information.");
  }
  const marker = join(ctx.dir, SERVICE_STOPPED);
  mutate(ctx.dir, (state) => {
    if (existsSync(marker)) {
      // Containers never restart on their own: after a service restart they are all loaded as stopped.
      stopAllContainers(state);
      rmSync(marker, { force: true });
    }
    state.logRoot = v.logRoot ? resolve(v.logRoot) : undefined;
  });
  return 0;
}

function stop(ctx) {
  mutate(ctx.dir, (state) => {
    stopAllContainers(state);
    writeFileSync(join(ctx.dir, SERVICE_STOPPED), "");
  });
  return 0;
}

function statusPayload(ctx) {
  const version = cliVersion(ctx.env);
  return {
    apiServerAppName: "container-apiserver",
    apiServerBuild: "release",
    apiServerCommit: RELEASE_COMMIT,
    apiServerVersion: `container-apiserver version ${version} (build: release, commit: ${RELEASE_COMMIT.slice(0, 7)})`,
    appRoot: `${resolve(ctx.dir, "app-root")}/`,
    installRoot: "/usr/local/",
    logRoot: readState(ctx.dir).logRoot,
    status: "running",
  };
}

function renderStatus(ctx, format, payload, table) {
  if (format === "json") return emit(ctx, encodeCompact(payload));
  if (format === "yaml" || format === "toml") {
    throw new CzError("unsupported", `--format ${format} is not implemented by the container test double`);
  }
  return emit(ctx, table);
}

/** 1.4.1's nested document (apple/container PR #1769); a stopped service answers only `status`. */
function nestedStatusPayload(ctx) {
  const version = cliVersion(ctx.env);
  const state = readState(ctx.dir);
  const containers = Object.values(state.containers ?? {});
  const component = (appName) => ({ appName, build: "release", commit: RELEASE_COMMIT, version });
  return {
    status: "running",
    client: component("container"),
    server: component("container-apiserver"),
    host: { architecture: HOST_ARCH, cpus: 12, operatingSystem: "Version 26.5.1 (Build 25F80)" },
    resources: {
      containersRunning: containers.filter((c) => c.state === "running").length,
      containersTotal: containers.length,
      images: Object.keys(state.images ?? {}).length,
    },
    paths: { appRoot: `${resolve(ctx.dir, "app-root")}/`, installRoot: "/usr/local/", logRoot: state.logRoot },
  };
}

function status(ctx, v) {
  if (nestedSystemStatus(ctx.env)) {
    if (!ctx.serviceUp) {
      renderStatus(ctx, v.format, { status: "unregistered" }, "apiserver is not running and not registered with launchd");
      return 1;
    }
    const s = nestedStatusPayload(ctx);
    renderStatus(ctx, v.format, s, renderTable([
      ["FIELD", "VALUE"],
      ["status", s.status],
      ["server.version", s.server.version],
      ["client.version", s.client.version],
      ["appRoot", s.paths.appRoot],
      ["installRoot", s.paths.installRoot],
    ]));
    return 0;
  }
  if (!ctx.serviceUp) {
    const empty = { apiServerAppName: "", apiServerBuild: "", apiServerCommit: "", apiServerVersion: "", appRoot: "", installRoot: "", status: "unregistered" };
    renderStatus(ctx, v.format, empty, "apiserver is not running and not registered with launchd");
    return 1;
  }
  const s = statusPayload(ctx);
  renderStatus(ctx, v.format, s, renderTable([
    ["FIELD", "VALUE"],
    ["status", s.status],
    ["appRoot", s.appRoot],
    ["installRoot", s.installRoot],
    ["logRoot", s.logRoot ?? ""],
    ["apiserver.version", s.apiServerVersion],
    ["apiserver.commit", s.apiServerCommit],
    ["apiserver.build", s.apiServerBuild],
    ["apiserver.appName", s.apiServerAppName],
  ]));
  return 0;
}

function version(ctx, v) {
  const ver = cliVersion(ctx.env);
  const short = RELEASE_COMMIT.slice(0, 7);
  const rows = [{ appName: "container", buildType: "release", commit: short, version: ver }];
  if (ctx.serviceUp) rows.push({ appName: "container-apiserver", buildType: "release", commit: short, version: ver });
  renderStatus(ctx, v.format, rows, renderTable([
    ["COMPONENT", "VERSION", "BUILD", "COMMIT"],
    ...rows.map((r) => [r.appName, r.version, r.buildType, r.commit]),
  ]));
  return 0;
}

const formatOption = option(null, "--format", "format", { choices: ["json", "table", "yaml", "toml"], default: "table" });

export const systemGroup = {
  name: "system",
  aliases: ["s"],
  usage: "container system <subcommand>",
  subcommands: {
    start: {
      usage: "container system start [<options>]",
      options: [
        option("a", "--app-root", "appRoot"),
        option(null, "--install-root", "installRoot"),
        option(null, "--log-root", "logRoot"),
        flag(null, "--enable-kernel-install", "kernelInstall", { set: true }),
        flag(null, "--disable-kernel-install", "kernelInstall", { set: false }),
        option(null, "--timeout", "timeout"),
      ],
      handler: start,
    },
    stop: { usage: "container system stop [--prefix <prefix>] [--debug]", options: [option("p", "--prefix", "prefix")], handler: stop },
    status: {
      usage: "container system status [--prefix <prefix>] [--format <format>] [--debug]",
      options: [option("p", "--prefix", "prefix"), formatOption],
      handler: status,
    },
    version: { usage: "container system version [--format <format>] [--debug]", options: [formatOption], handler: version },
  },
};
