import { describe, expect, test } from "vitest";
import { KubeadmConfigError, kubeadmInitArgs, preflightIgnores } from "../../../src/kubeadm/index.js";

describe("kubeadm init arguments", () => {
  test("use the config file, hide the token, log at v=6 and ignore the checks Apple container VMs fail", () => {
    expect(kubeadmInitArgs({ configPath: "/kind/kubeadm.conf", version: "v1.35.5" })).toEqual([
      "kubeadm",
      "init",
      "--config",
      "/kind/kubeadm.conf",
      "--skip-token-print",
      "--v=6",
      "--ignore-preflight-errors=Swap,SystemVerification,FileContent--proc-sys-net-bridge-bridge-nf-call-iptables",
    ]);
  });

  test("the ignore list is the k8s plugin's", () => {
    expect(preflightIgnores("v1.36.1")).toEqual([
      "Swap",
      "SystemVerification",
      "FileContent--proc-sys-net-bridge-bridge-nf-call-iptables",
    ]);
  });

  test("unsupported versions are refused before anything runs", () => {
    expect(() => kubeadmInitArgs({ configPath: "/kind/kubeadm.conf", version: "v1.20.0" })).toThrow(KubeadmConfigError);
  });
});
