// Option groups shared by several commands (Flags.swift in Apple container 1.2.2).
import { flag, option } from "./argv.mjs";

export const processOptions = [
  option("e", "--env", "env", { multi: true }),
  option(null, "--env-file", "envFile", { multi: true }),
  option(null, "--gid", "gid", { type: "uint" }),
  flag("i", "--interactive", "interactive"),
  flag("t", "--tty", "tty"),
  option("u", "--user", "user"),
  option(null, "--uid", "uid", { type: "uint" }),
  option("w", ["--workdir", "--cwd"], "cwd", { valueName: "dir" }),
  option(null, "--ulimit", "ulimit", { multi: true, valueName: "limit" }),
];

export const resourceOptions = [
  option("c", "--cpus", "cpus", { type: "int" }),
  option("m", "--memory", "memory"),
];

export const dnsOptions = [
  option(null, "--dns", "dns", { multi: true, valueName: "ip" }),
  option(null, "--dns-domain", "dnsDomain", { valueName: "domain" }),
  option(null, "--dns-option", "dnsOption", { multi: true, valueName: "option" }),
  option(null, "--dns-search", "dnsSearch", { multi: true, valueName: "domain" }),
];

export const managementOptions = [
  option("a", "--arch", "arch"),
  option(null, "--cap-add", "capAdd", { multi: true, valueName: "cap" }),
  option(null, "--cap-drop", "capDrop", { multi: true, valueName: "cap" }),
  option(null, "--cidfile", "cidfile"),
  flag("d", "--detach", "detach"),
  ...dnsOptions,
  option(null, "--entrypoint", "entrypoint", { valueName: "cmd" }),
  flag(null, "--init", "useInit"),
  option(null, "--init-image", "initImage", { valueName: "image" }),
  option("k", "--kernel", "kernel", { valueName: "path" }),
  option(null, "--kernel-arg", "kernelArg", { multi: true, valueName: "arg" }),
  option("l", "--label", "label", { multi: true }),
  option(null, "--masked-path", "maskedPath", { multi: true, valueName: "path" }),
  option(null, "--mount", "mount", { multi: true }),
  option(null, "--name", "name"),
  option(null, "--network", "network", { multi: true }),
  flag(null, "--no-dns", "noDns"),
  option(null, "--os", "os"),
  option("p", "--publish", "publish", { multi: true, valueName: "spec" }),
  option(null, "--platform", "platform"),
  option(null, "--publish-socket", "publishSocket", { multi: true, valueName: "spec" }),
  flag(null, "--read-only", "readOnly"),
  option(null, "--read-only-path", "readOnlyPath", { multi: true, valueName: "path" }),
  flag(null, ["--rm", "--remove"], "remove"),
  flag(null, "--rosetta", "rosetta"),
  option(null, "--runtime", "runtime"),
  flag(null, "--ssh", "ssh"),
  option(null, "--shm-size", "shmSize"),
  option(null, "--tmpfs", "tmpfs", { multi: true }),
  flag(null, "--virtualization", "virtualization"),
  option("v", "--volume", "volume", { multi: true }),
];

export const registryOptions = [option(null, "--scheme", "scheme", { choices: ["http", "https", "auto"], default: "auto" })];

export const progressOptions = [
  option(null, "--progress", "progress", { choices: ["auto", "none", "ansi", "plain", "color"], valueName: "type", default: "auto" }),
];

export const imageFetchOptions = [option(null, "--max-concurrent-downloads", "maxConcurrentDownloads", { type: "int", default: 3 })];

export const formatOption = option(null, "--format", "format", { choices: ["json", "table", "yaml", "toml"], default: "table" });
