// `container system …`: start/stop the pretend apiserver (the `service-stopped` marker file),
// status, version, `kernel set` and `property list`. The apiserver keeps the version it was
// started with: after an "upgrade" (a new KINA_FAKE_CONTAINER_VERSION) it stays old until
// `system stop` + `system start`, as a `.pkg` upgrade leaves it (reference §13).
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { flag, option } from "./argv.mjs";
import { CzError, UsageError } from "./errors.mjs";
import { releaseAll } from "./ipam.mjs";
import { encodeCompact } from "./json.mjs";
import { emit } from "./output.mjs";
import { copyUserConfig, ensureDefaultKernel, kernelSet, propertyDocument, propertyToml } from "./kernels.mjs";
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

/** The version of the running apiserver: the CLI's version when it was (first) started. */
function apiServerVersion(ctx) {
  const recorded = readState(ctx.dir).apiServerVersion;
  if (recorded) return recorded;
  const version = cliVersion(ctx.env);
  mutate(ctx.dir, (state) => {
    state.apiServerVersion ??= version;
  });
  return version;
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
      state.apiServerVersion = cliVersion(ctx.env);
    }
    // launchctl bootstrap of a running service is a no-op: a stale apiserver keeps running.
    state.apiServerVersion ??= cliVersion(ctx.env);
    state.logRoot = v.logRoot ? resolve(v.logRoot) : undefined;
  });
  copyUserConfig(ctx);
  ensureDefaultKernel(ctx);
  return 0;
}

function stop(ctx) {
  mutate(ctx.dir, (state) => {
    stopAllContainers(state);
    delete state.apiServerVersion;
    writeFileSync(join(ctx.dir, SERVICE_STOPPED), "");
  });
  return 0;
}

function statusPayload(ctx) {
  const version = apiServerVersion(ctx);
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
  const state = readState(ctx.dir);
  const containers = Object.values(state.containers ?? {});
  const component = (appName, version) => ({ appName, build: "release", commit: RELEASE_COMMIT, version });
  return {
    status: "running",
    client: component("container", cliVersion(ctx.env)),
    server: component("container-apiserver", apiServerVersion(ctx)),
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
  if (ctx.serviceUp) ensureDefaultKernel(ctx);
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
  // SystemVersion.swift: the server row is the health check's apiServerVersion, the full
  // "container-apiserver version X (build: …, commit: …)" text, and only when the ping answers.
  if (ctx.serviceUp) {
    const server = apiServerVersion(ctx);
    rows.push({ appName: "container-apiserver", buildType: "release", commit: RELEASE_COMMIT, version: `container-apiserver version ${server} (build: release, commit: ${short})` });
  }
  renderStatus(ctx, v.format, rows, renderTable([
    ["COMPONENT", "VERSION", "BUILD", "COMMIT"],
    ...rows.map((r) => [r.appName, r.version, r.buildType, r.commit]),
  ]));
  return 0;
}

function requireService(ctx) {
  if (!ctx.serviceUp) {
    throw new CzError("interrupted", "XPC connection error: Connection invalid");
  }
}

function kernel(ctx, v) {
  if (v.sub !== "set") throw new UsageError(`Unexpected argument '${v.sub}'`, "Usage: container system kernel <subcommand>\n  See 'container system kernel --help' for more information.");
  requireService(ctx);
  return kernelSet(ctx, v);
}

function property(ctx, v) {
  if (v.sub !== "list" && v.sub !== "ls") {
    throw new UsageError(`Unexpected argument '${v.sub}'`, "Usage: container system property <subcommand>\n  See 'container system property --help' for more information.");
  }
  // 1.x PropertyList pings the apiserver for its app and install roots first.
  requireService(ctx);
  const doc = propertyDocument(ctx);
  emit(ctx, v.format === "json" ? encodeCompact(doc) : propertyToml(doc));
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
    // Nested groups (`kernel set`, `property list|ls`) as one subcommand whose first word picks the action.
    kernel: {
      usage: "container system kernel set [--arch <arch>] [--binary <binary>] [--tar <tar>] [--digest <digest>] [--force] [--recommended]",
      positionals: [{ key: "sub", name: "<subcommand>", required: true }],
      options: [
        option(null, "--arch", "arch", { choices: ["arm64", "amd64"] }),
        option(null, "--binary", "binary"),
        option(null, "--tar", "tar"),
        option(null, "--digest", "digest"),
        flag(null, "--force", "force"),
        flag(null, "--recommended", "recommended"),
      ],
      handler: kernel,
    },
    property: {
      usage: "container system property list [--format <format>] [--debug]",
      positionals: [{ key: "sub", name: "<subcommand>", required: true }],
      options: [option(null, "--format", "format", { choices: ["json", "toml"], default: "toml" })],
      handler: property,
    },
  },
};
