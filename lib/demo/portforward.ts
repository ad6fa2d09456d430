// pods/portforward over WebSocket (`v4.channel.k8s.io`), as the kubelet speaks it to
// @kubernetes/client-node: every binary message starts with a channel byte (0 data, 1 error for the
// one forwarded port); the server's first message on each channel carries the port as 2 bytes
// little-endian; client bytes arrive on channel 0. Behind the stream sits a simulated proxy admin
// on port 15000: an in-process http.Server fed the stream, answering `/config_dump`.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Socket } from "node:net";
import { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { ProxyDump } from "./state";

export const ADMIN_PORT = 15000;
const PROTOCOLS = ["v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io", "channel.k8s.io"];

export interface PortForwardTarget {
  namespace: string;
  pod: string;
  port: number;
  dump: ProxyDump | undefined;
  hanging: boolean;
}

const frame = (channel: number, data: Buffer) => Buffer.concat([Buffer.from([channel]), data]);
const portBytes = (port: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(port, 0);
  return b;
};

/** The Envoy / ztunnel admin endpoint: only `/config_dump` is simulated. */
function adminServer(): Server {
  const server = createServer((req, res) => {
    const dump = dumpOf.get(req.socket);
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (!dump || path !== "/config_dump") {
      res.writeHead(404, { "Content-Type": "text/plain" });
      res.end("invalid path: " + path + "\n");
      return;
    }
    const body = JSON.stringify(dump.body, null, 1);
    res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
    res.end(body);
  });
  server.keepAliveTimeout = 0;
  return server;
}

const dumpOf = new WeakMap<object, ProxyDump>();

/** A Duplex over the WebSocket's data channel that http.Server accepts as a connection. */
function channelStream(ws: WebSocket): Duplex {
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      if (ws.readyState === ws.OPEN) ws.send(frame(0, chunk), cb);
      else cb();
    },
    final(cb) {
      cb();
    },
  });
  // http.Server calls these on real sockets.
  const s = stream as Duplex & Partial<Socket>;
  Object.assign(s, {
    setTimeout: () => s,
    setNoDelay: () => s,
    setKeepAlive: () => s,
    remoteAddress: "127.0.0.1",
    remotePort: 0,
    encrypted: false,
  });
  return stream;
}

export interface PortForwarder {
  wss: WebSocketServer;
  /** Opens the stream for an authorised, validated upgrade. */
  accept(req: IncomingMessage, socket: Socket, head: Buffer, target: PortForwardTarget): void;
  close(): void;
}

export function portForwarder(): PortForwarder {
  const admin = adminServer();
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => PROTOCOLS.find((p) => offered.has(p)) ?? false,
  });
  const streams = new Set<Duplex>();

  const open = (ws: WebSocket, t: PortForwardTarget) => {
    ws.send(frame(0, portBytes(t.port)));
    ws.send(frame(1, portBytes(t.port)));
    if (t.hanging) {
      // Accepts the connection and the request bytes, never answers.
      ws.on("message", () => {});
      return;
    }
    if (t.port !== ADMIN_PORT || !t.dump) {
      const msg = `error forwarding port ${t.port} to pod ${t.namespace}/${t.pod}: failed to connect to localhost:${t.port} inside namespace "${t.pod}": connection refused`;
      ws.send(frame(1, Buffer.from(msg)), () => ws.close(1000));
      return;
    }
    const stream = channelStream(ws);
    streams.add(stream);
    dumpOf.set(stream, t.dump);
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      const buf = isBinary ? data : Buffer.from(data);
      if (buf.length < 1) return;
      if (buf[0] === 0 && buf.length > 1) stream.push(buf.subarray(1));
    });
    ws.on("close", () => {
      streams.delete(stream);
      stream.push(null);
      stream.destroy();
    });
    stream.on("error", () => ws.terminate());
    admin.emit("connection", stream);
  };

  return {
    wss,
    accept(req, socket, head, target) {
      wss.handleUpgrade(req, socket, head, (ws) => open(ws, target));
    },
    close() {
      for (const c of wss.clients) c.terminate();
      for (const s of streams) s.destroy();
      wss.close();
      admin.close();
    },
  };
}
