// A few words for the server modes whose enum values alone mislead (contract §1 keeps Mode and Origin
// as they are). NONE reads as "no proxy" — true for origin no-proxy, false for a gateway, whose proxy
// takes what its Gateway servers set; a waypoint's STRICT comes from no PeerAuthentication. The values
// are the resolver's GATEWAY_DECISION and WAYPOINT_DECISION (lib/core/resolve/resolver.ts), matched by
// value so the client bundle does not pull the resolver in; modeNote.test.ts ties them together.
import type { Mode, Origin, Ref } from "../../core/snapshot/schema";

export interface ServerMode {
  mode: Mode;
  origin: Origin;
  policy: Ref | null;
}

/** A short explanation of a server mode, or null when mode, origin and policy say it plainly. */
export function modeNote(m: ServerMode): string | null {
  if (m.mode === "NONE" && m.origin === "no-proxy") return "no proxy enforces mTLS here";
  if (m.policy !== null || m.origin !== "default") return null;
  if (m.mode === "NONE")
    return "Istio gateway: its listeners take the TLS its Gateway servers set; PeerAuthentication does not apply";
  if (m.mode === "STRICT")
    return "Istio waypoint: it takes only HBONE (Istio mTLS); PeerAuthentication does not apply";
  return null;
}
