// A real analysed mesh for view tests: a STRICT namespace `shop` called in plaintext by
// `legacy/batch`, a client without a proxy (a broken edge and its findings).
import { call, deploy, host, injected, namespace, peerAuth, run, service } from "../../../test/kit";

export const plaintextIntoStrict = () =>
  run(
    [
      injected("shop"),
      namespace("legacy"),
      peerAuth("shop", "strict", "STRICT"),
      deploy("shop", "web", { ports: [8080] }),
      service("shop", "web", [{ port: 80, targetPort: 8080 }]),
      deploy("legacy", "batch"),
    ],
    [call("legacy/batch", host("web", "shop"), "none")],
  );
