// Next.js configuration. ESM because package.json has "type": "module".

/** @typedef {{ key: string, value: string }} Header */

/** Sent on every route. @type {Header[]} */
const commonHeaders = [{ key: "X-Content-Type-Options", value: "nosniff" }];

/** @type {import("next").NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // Loaded by Node as they are, not bundled: the Kubernetes client (dynamic requires, optional native
  // WebSocket add-ons) and ws, which the embedded demo cluster also uses.
  serverExternalPackages: ["@kubernetes/client-node", "ws"],
  async headers() {
    return [
      { source: "/:path*", headers: commonHeaders },
      {
        // Contract §4: every page except /embed and /embed/* may not be framed. The /embed rule lists
        // the operator's HANDSHAKE_EMBED_ORIGINS, a runtime setting, so proxy.ts sets it per request
        // (headers() here are fixed at build time).
        source: "/((?!embed(?:/|$)).*)",
        headers: [{ key: "Content-Security-Policy", value: "frame-ancestors 'none'" }],
      },
    ];
  },
};

export default nextConfig;
