// GET /api/v1/namespaces/NS/pods/NAME/log (the `log` subresource of Pod, Kubernetes API reference
// "Read Log" of core/v1 Pod): text/plain, `container` required when the pod has more than one, an
// unknown container is a 400 BadRequest, as the real API server answers. The double runs no
// containers, so a running container's log is a few lines derived from the pod; a container that
// has not started has none yet.
import { ApiError } from "./errors.mjs";

const badRequest = (message) => new ApiError(400, "BadRequest", message);

export function podLog(pod, query) {
  const name = pod.metadata.name;
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.name);
  let container = query.get("container") ?? undefined;
  if (container === undefined) {
    if ((pod.spec?.containers ?? []).length !== 1) {
      throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.join(" ")}]`);
    }
    container = pod.spec.containers[0].name;
  }
  if (!containers.includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
  const status = (pod.status?.containerStatuses ?? []).find((s) => s.name === container);
  if (!status?.state?.running && !status?.state?.terminated) {
    throw badRequest(`container "${container}" in pod "${name}" is waiting to start: ContainerCreating`);
  }
  const started = pod.metadata.creationTimestamp ?? new Date().toISOString();
  const image = (pod.spec?.containers ?? []).find((c) => c.name === container)?.image ?? "";
  let lines = [
    `${started} I0000 00:00:00.000000       1 main.go:1] "Starting" container="${container}" image="${image}"`,
    `${started} I0000 00:00:00.000000       1 main.go:2] "Serving" pod="${pod.metadata.namespace}/${name}" node="${pod.spec?.nodeName ?? ""}"`,
  ];
  const tail = Number(query.get("tailLines"));
  if (query.has("tailLines") && Number.isInteger(tail) && tail >= 0) lines = lines.slice(Math.max(0, lines.length - tail));
  const timestamps = ["1", "true"].includes(query.get("timestamps") ?? "");
  return lines.map((l) => (timestamps ? l : l.slice(l.indexOf(" ") + 1))).join("\n") + (lines.length ? "\n" : "");
}
