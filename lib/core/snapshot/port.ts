// How texts name an edge's destination and port. Port 0 is the one edge port that is no Service port:
// an inbound passthrough edge's, for calls a server received on a port no Service of it declares,
// which Istio's telemetry does not number (docs/DECISIONS.md, "Inbound passthrough series"). It is
// never printed as if it were a port.

/** "host:port", or "host (undeclared port)" for an inbound passthrough edge's port 0. */
export function withPort(name: string, port: number): string {
  return port === 0 ? `${name} (undeclared port)` : `${name}:${port}`;
}

/**
 * An edge id as a label ("client->host:port"): an inbound passthrough edge's trailing ":0" reads
 * " (undeclared port)", as withPort has it. Display only: links and the URL keep the id itself.
 */
export function edgeIdLabel(id: string): string {
  return id.endsWith(":0") ? withPort(id.slice(0, -2), 0) : id;
}
