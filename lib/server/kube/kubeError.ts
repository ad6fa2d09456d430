// The one error a KubeTransport throws: why a request failed, with a reason the reader acts on.

/** `credentials`: the client could not obtain its credentials (exec plugin, certificate files). */
export type KubeErrorReason = "forbidden" | "not-found" | "timeout" | "error" | "unreachable" | "credentials";

/** Why a request failed, in words a person reads in a completeness entry or finding. */
export class KubeError extends Error {
  constructor(
    readonly reason: KubeErrorReason,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "KubeError";
  }
}
