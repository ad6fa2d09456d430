// An error (or its message) on one line, for logs, X-Handshake-Error headers and completeness entries:
// the core's, so the server and the analysis word errors alike.
export { oneLine } from "../core/model/read";
