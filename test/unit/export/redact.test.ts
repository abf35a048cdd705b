import { generateKeyPairSync } from "node:crypto";
import { describe, expect, test } from "vitest";
import { redact } from "../../../src/export/redact.js";

const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
const PEM_SEC1 = privateKey.export({ type: "sec1", format: "pem" }).toString();
const PEM_PKCS8 = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const B64 = Buffer.from(PEM_SEC1).toString("base64");
const CERT_B64 = Buffer.from("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n").toString("base64");

describe("redact", () => {
  test.each([
    ["an EC PEM key", PEM_SEC1],
    ["a PKCS#8 PEM key", PEM_PKCS8],
    ["a key cut off at the end of a log", PEM_SEC1.slice(0, 80)],
  ])("removes %s, armour and body", (_what, pem) => {
    const out = redact(`before\n${pem}\nafter\n`);
    expect(out).not.toContain("PRIVATE KEY");
    for (const line of pem.split("\n").filter((l) => l.length > 20 && !l.startsWith("-----"))) expect(out).not.toContain(line);
    expect(out).toContain("before");
    expect(out).toContain("after");
  });

  test("removes kubeconfig credential fields in YAML and JSON, keeps the CA and the server", () => {
    const yaml = [
      "- cluster:",
      `    certificate-authority-data: ${CERT_B64}`,
      "    server: https://127.0.0.1:6443",
      "  user:",
      `    client-certificate-data: ${CERT_B64}`,
      `    client-key-data: ${B64}`,
      "    token: s3cr3t-token-value",
      "",
    ].join("\n");
    const out = redact(yaml);
    expect(out).not.toContain(B64);
    expect(out).not.toContain("s3cr3t-token-value");
    expect(out).toContain("client-certificate-data: <redacted>");
    expect(out).toContain(`certificate-authority-data: ${CERT_B64}`);
    expect(out).toContain("server: https://127.0.0.1:6443");
    const json = redact(JSON.stringify({ user: { "client-key-data": B64, token: "abc" } }));
    expect(json).not.toContain(B64);
    expect(json).toContain('"token":"<redacted>"');
  });

  test("removes a base64 private key wherever it appears (a Secret's data), but not a base64 certificate", () => {
    const out = redact(`data:\n  tls.key: ${B64}\n  tls.crt: ${CERT_B64}\n`);
    expect(out).not.toContain(B64);
    expect(out).toContain(CERT_B64);
  });

  test("removes bearer tokens, JWTs, bootstrap tokens and kubeadm's secret flags", () => {
    const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJrdWJlcm5ldGVzIn0.c2lnbmF0dXJlLXBhcnQ";
    const text = [
      "Authorization: Bearer abc.def-ghi",
      `service account token ${jwt}`,
      "kubeadm join kina-control-plane:6443 --token abcdef.0123456789abcdef \\",
      "  --discovery-token-ca-cert-hash sha256:85637de7b992931d414f9661e2b84ed4e193ff691068c0db462624dc05caa54b",
      "  --control-plane --certificate-key 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
      'bootstrapToken: {token: "k3x9qz.p0o9i8u7y6t5r4e3"}',
      "secret bootstrap-token-k3x9qz holds k3x9qz.p0o9i8u7y6t5r4e3",
    ].join("\n");
    const out = redact(text);
    for (const secret of ["abc.def-ghi", jwt, "abcdef.0123456789abcdef", "0123456789abcdef0123456789abcdef", "p0o9i8u7y6t5r4e3"]) {
      expect(out).not.toContain(secret);
    }
    // Public values a debugger needs stay.
    expect(out).toContain("sha256:85637de7b992931d414f9661e2b84ed4e193ff691068c0db462624dc05caa54b");
    expect(out).toContain("kubeadm join kina-control-plane:6443");
  });

  test("leaves ordinary log text alone", () => {
    const text = 'Dec  2 00:34:48 dev-control-plane kubelet[120]: I1202 "Started" tokenFile=/var/run/secrets/token --skip-token-print\n';
    expect(redact(text)).toBe(text);
  });
});
