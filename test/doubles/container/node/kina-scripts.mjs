// kina's own node scripts (/usr/local/bin/kina-*) are real POSIX shell: the fake node runs them
// with the host's /bin/sh instead of the mini shell, with KINA_ROOT pointing at the node's rootfs
// (the scripts prefix every file they touch with it) and the node programs they call (sysctl,
// iptables, update-alternatives, systemctl, kubeadm, ethtool) bridged back into this fake node, so their
// effects land in the same fake state as every other exec.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { hostPath } from "./rootfs.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BRIDGED = [
  "sysctl",
  "iptables",
  "iptables-nft",
  "iptables-legacy",
  "ip6tables",
  "ip6tables-nft",
  "ip6tables-legacy",
  "update-alternatives",
  "systemctl",
  "kubeadm",
  "crictl",
  "ctr",
  "ethtool",
];

/** The script's host path when argv is `sh /usr/local/bin/kina-…` and that file exists. */
export function kinaScript(rootfs, args) {
  const [script] = args;
  if (args.length === 0 || !script || script.startsWith("-")) return undefined;
  if (!/^\/usr\/local\/bin\/kina-[a-z-]+$/.test(script)) return undefined;
  const file = hostPath(rootfs, script);
  return fs.existsSync(file) ? file : undefined;
}

function bridgeDir(node) {
  const dir = path.join(node.stateDir, "bridge-bin");
  if (!fs.existsSync(path.join(dir, BRIDGED.at(-1)))) {
    fs.mkdirSync(dir, { recursive: true });
    for (const prog of BRIDGED) {
      const wrapper = `#!/bin/sh\nexec "${process.execPath}" "${path.join(HERE, "bridge.mjs")}" ${prog} "$@"\n`;
      fs.writeFileSync(path.join(dir, prog), wrapper, { mode: 0o755 });
    }
  }
  return dir;
}

export function runKinaScript(ctx, file, args) {
  const { node } = ctx;
  return new Promise((resolve) => {
    const child = spawn("/bin/sh", [file, ...args.slice(1)], {
      env: {
        PATH: `${bridgeDir(node)}:/usr/bin:/bin`,
        KINA_ROOT: node.rootfs,
        FAKE_NODE: JSON.stringify(node),
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.stdin.end(ctx.stdin.readAll());
    child.on("close", (code, signal) => resolve({ exitCode: code ?? 128 + (signal === "SIGKILL" ? 9 : 15), stdout, stderr }));
  });
}
