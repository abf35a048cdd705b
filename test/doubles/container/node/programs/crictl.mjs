// `crictl ps|images`: what the CRI shows, derived from what kubeadm and kubelet did on the node.
import { ok, fail } from "../result.mjs";
import { readState } from "../fake-state.mjs";
import { socketPresent, unitState } from "./systemctl.mjs";
import { k8sImages, table } from "./ctr.mjs";
import crypto from "node:crypto";

function id(text) {
  return crypto.createHash("sha256").update(text).digest("hex").slice(0, 13);
}

function runningContainers(rootfs) {
  const kubeadm = readState(rootfs, "kubeadm.json", {});
  if (unitState(rootfs, "kubelet") !== "active") return [];
  const names = kubeadm.controlPlane ? ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"] : [];
  if (kubeadm.initialized || kubeadm.joined) names.push("kube-proxy");
  return names.map((name) => ({ name, id: id(`${kubeadm.generation ?? 0}/${name}`), pod: `${name}-${kubeadm.nodeName ?? ""}` }));
}

export function crictl(ctx, args) {
  const words = args.filter((a) => !a.startsWith("--runtime-endpoint") && !a.startsWith("--image-endpoint"));
  const [verb, ...rest] = words;
  if (!socketPresent(ctx.rootfs)) {
    return fail(1, 'level=fatal msg="validate service connection: validate CRI v1 runtime API for endpoint \\"unix:///run/containerd/containerd.sock\\": rpc error: code = Unavailable desc = connection error"');
  }
  if (verb === "ps") {
    const quiet = rest.includes("-q") || rest.includes("--quiet");
    let nameFilter;
    for (let i = 0; i < rest.length; i++) {
      if (rest[i] === "--name") nameFilter = rest[++i];
      else if (!["-a", "--all", "-q", "--quiet"].includes(rest[i])) return fail(1, `flag provided but not defined: ${rest[i]}`);
    }
    const list = runningContainers(ctx.rootfs).filter((c) => !nameFilter || c.name.includes(nameFilter));
    if (quiet) return ok(list.map((c) => `${c.id}\n`).join(""));
    const rows = [["CONTAINER", "IMAGE", "CREATED", "STATE", "NAME", "ATTEMPT", "POD ID", "POD", "NAMESPACE"]];
    for (const c of list) rows.push([c.id, id(c.name), "About a minute ago", "Running", c.name, "0", id(c.pod), c.pod, "kube-system"]);
    return ok(table(rows));
  }
  if (verb === "images" || verb === "img") {
    const quiet = rest.includes("-q") || rest.includes("--quiet");
    const rows = [["IMAGE", "TAG", "IMAGE ID", "SIZE"]];
    const images = k8sImages(ctx.rootfs);
    if (quiet) return ok(images.map((i) => `${i.digest}\n`).join(""));
    for (const i of images) {
      const colon = i.name.lastIndexOf(":");
      rows.push([i.name.slice(0, colon), i.name.slice(colon + 1), i.digest.slice(7, 20), "10MB"]);
    }
    return ok(table(rows));
  }
  return fail(2, `fake crictl: unsupported command '${words.join(" ")}' (only ps, images)`);
}
