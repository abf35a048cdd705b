// zod schemas of the JSON that Apple `container` 1.x prints (reference/apple-container.md §4).
// Objects strip unknown keys: new releases add fields, and kina must keep working with them.
// Fields kina reads are required and typed; everything else is optional so a missing extra
// never breaks parsing.
import { z } from "zod";

const labels = z.record(z.string(), z.string());

/** One network attachment of a running container (`status.networks[]`, §4.1 `Attachment`). */
export const attachmentSchema = z.object({
  network: z.string(),
  hostname: z.string(),
  /** CIDR form, e.g. `192.168.64.3/24`. */
  ipv4Address: z.string(),
  ipv4Gateway: z.string(),
  ipv6Address: z.string().optional(),
  macAddress: z.string().optional(),
  mtu: z.number().int().optional(),
  variant: z.string().optional(),
});
export type Attachment = z.infer<typeof attachmentSchema>;

export const publishedPortSchema = z.object({
  hostAddress: z.string(),
  hostPort: z.number().int(),
  containerPort: z.number().int(),
  proto: z.string(),
  count: z.number().int().optional(),
});
export type PublishedPort = z.infer<typeof publishedPortSchema>;

/** The apiserver only stores running and stopped; the other two exist in the Swift enum. */
export const containerStateSchema = z.enum(["running", "stopped", "stopping", "unknown"]);
export type ContainerState = z.infer<typeof containerStateSchema>;

export const containerConfigurationSchema = z.object({
  id: z.string(),
  image: z.object({
    reference: z.string(),
    descriptor: z
      .object({ digest: z.string(), mediaType: z.string().optional(), size: z.number().optional() })
      .optional(),
  }),
  labels: labels,
  resources: z.object({
    cpus: z.number().int(),
    memoryInBytes: z.number().int(),
    cpuOverhead: z.number().optional(),
  }),
  publishedPorts: z.array(publishedPortSchema).default([]),
  networks: z
    .array(
      z.object({
        network: z.string(),
        options: z
          .object({ hostname: z.string().optional(), mtu: z.number().optional(), macAddress: z.string().optional() })
          .optional(),
      }),
    )
    .default([]),
  platform: z.object({ architecture: z.string(), os: z.string(), variant: z.string().optional() }).optional(),
  creationDate: z.string().optional(),
  capAdd: z.array(z.string()).optional(),
  stopSignal: z.string().optional(),
});
export type ContainerConfiguration = z.infer<typeof containerConfigurationSchema>;

/** An element of `container list --format json` / `container inspect` (1.x `ManagedContainer`). */
export const containerSchema = z.object({
  id: z.string(),
  configuration: containerConfigurationSchema,
  status: z.object({
    state: containerStateSchema,
    /** Empty while stopped. */
    networks: z.array(attachmentSchema),
    startedDate: z.string().optional(),
  }),
});
export type Container = z.infer<typeof containerSchema>;
export const containerListSchema = z.array(containerSchema);

/** `container image inspect` / `image list --format json` element (1.x `ImageResource`, §4.3). */
export const imageSchema = z.object({
  id: z.string(),
  configuration: z.object({
    name: z.string(),
    descriptor: z.object({ digest: z.string(), mediaType: z.string(), size: z.number() }),
    creationDate: z.string().optional(),
  }),
  variants: z
    .array(
      z.object({
        digest: z.string(),
        size: z.number().optional(),
        platform: z.object({ architecture: z.string(), os: z.string(), variant: z.string().optional() }),
        config: z
          .object({
            architecture: z.string().optional(),
            os: z.string().optional(),
            created: z.string().optional(),
            config: z
              .object({
                Env: z.array(z.string()).optional(),
                Cmd: z.array(z.string()).optional(),
                Entrypoint: z.array(z.string()).optional(),
                WorkingDir: z.string().optional(),
                User: z.string().optional(),
                Labels: labels.nullish(),
                StopSignal: z.string().optional(),
              })
              .optional(),
          })
          .optional(),
      }),
    )
    .default([]),
});
export type Image = z.infer<typeof imageSchema>;
export const imageListSchema = z.array(imageSchema);

export const networkModeSchema = z.enum(["nat", "hostOnly"]);

/** `container network list --format json` / `network inspect` element (1.x `NetworkResource`, §4.4). */
export const networkSchema = z.object({
  id: z.string(),
  configuration: z.object({
    name: z.string(),
    labels: labels.default({}),
    mode: networkModeSchema,
    plugin: z.string().optional(),
    options: z.record(z.string(), z.string()).optional(),
    creationDate: z.string().optional(),
    ipv4Subnet: z.string().optional(),
    ipv6Subnet: z.string().optional(),
  }),
  // Optional: the reference shows it for started networks only; a network whose helper is not
  // up yet must not make the whole list unparseable (kina delete lists networks to clean up).
  status: z
    .object({
      ipv4Subnet: z.string(),
      ipv4Gateway: z.string(),
      ipv6Subnet: z.string().optional(),
    })
    .optional(),
});
export type Network = z.infer<typeof networkSchema>;
export const networkListSchema = z.array(networkSchema);

/**
 * `container system status --format json`, in every shape kina can meet. `status` is "running",
 * "not running" or "unregistered"; kept a plain string so an unknown value reads as "not running".
 *   1.2.x–1.3.x (reference §4.5): flat, `apiServerVersion` = "container-apiserver version 1.2.2 (…)".
 *   1.4.1 (§13): nested `server` / `client` / `paths` / `host` / `resources`; a stopped service
 *   answers `{"status": "…"}` alone.
 * Everything but `status` is optional, and the result is normalised to one shape.
 */
const component = z.looseObject({ appName: z.string().optional(), version: z.string().optional() });
export const systemStatusSchema = z
  .looseObject({
    status: z.string(),
    apiServerVersion: z.string().optional(),
    appRoot: z.string().optional(),
    installRoot: z.string().optional(),
    server: component.optional(),
    client: component.optional(),
    paths: z.looseObject({ appRoot: z.string().optional(), installRoot: z.string().optional() }).optional(),
  })
  .transform((raw) => {
    const flatVersion = /version (\S+)/.exec(raw.apiServerVersion ?? "")?.[1];
    const serverVersion = raw.server?.version || flatVersion || undefined;
    const appRoot = raw.paths?.appRoot ?? (raw.appRoot || undefined);
    return {
      status: raw.status,
      ...(serverVersion ? { serverVersion } : {}),
      ...(raw.client?.version ? { clientVersion: raw.client.version } : {}),
      ...(appRoot ? { appRoot } : {}),
    };
  });
export type SystemStatus = z.output<typeof systemStatusSchema>;

/** A version that may be bare ("1.2.2") or the health check's "container-apiserver version 1.2.2 (…)". */
function bareVersion(text: string | undefined): string | undefined {
  return /(?:^|version )v?(\d+\.\d+\.\d+\S*)/.exec(text?.trim() ?? "")?.[1];
}

/**
 * `container system version --format json` (SystemVersion.swift): one `{appName, buildType, commit,
 * version}` per component; the `container-apiserver` row is there only when the service answers
 * and carries the health check's full version text. Normalised to the two bare versions.
 */
export const systemVersionSchema = z
  .array(z.looseObject({ appName: z.string(), version: z.string() }))
  .transform((rows) => {
    const client = bareVersion(rows.find((r) => r.appName === "container")?.version);
    const server = bareVersion(rows.find((r) => r.appName === "container-apiserver")?.version);
    return { ...(client ? { clientVersion: client } : {}), ...(server ? { serverVersion: server } : {}) };
  });
export type SystemVersion = z.output<typeof systemVersionSchema>;

/**
 * `container system property list --format json` (1.x): the merged config.toml, one object per
 * section (reference §3.8). kina reads the recommended kernel and the VM subnet; the rest is kept open.
 */
export const systemPropertiesSchema = z.looseObject({
  kernel: z.looseObject({ binaryPath: z.string().optional(), url: z.string().optional() }).optional(),
  network: z.looseObject({ subnet: z.string().optional() }).optional(),
});
export type SystemProperties = z.infer<typeof systemPropertiesSchema>;

/** The container's IPv4 on its first network, without the `/prefix`; undefined when it has none (stopped). */
export function ipv4Of(container: Container): string | undefined {
  if (container.status.state === "stopped") return undefined;
  const cidr = container.status.networks[0]?.ipv4Address;
  if (!cidr) return undefined;
  const [address] = cidr.split("/");
  return address || undefined;
}

export function isServiceRunning(status: SystemStatus): boolean {
  return status.status === "running";
}
