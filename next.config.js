// Next.js configuration. ESM because package.json has "type": "module".

/** @typedef {{ key: string, value: string }} Header */

/** Sent on every route. @type {Header[]} */
const commonHeaders = [{ key: "X-Content-Type-Options", value: "nosniff" }];

/**
 * Contract §4: only /embed/* may be framed, and only by the origins the operator allows; every other
 * page sends frame-ancestors 'none'. Until the embed panel and its allow-list exist, nobody may frame
 * /embed/* either: replace this list with the configured origins then.
 * @type {string[]}
 */
const embedFrameAncestors = ["'none'"];

/** @type {import("next").NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  async headers() {
    return [
      { source: "/:path*", headers: commonHeaders },
      {
        // Everything except /embed and /embed/*.
        source: "/((?!embed(?:/|$)).*)",
        headers: [{ key: "Content-Security-Policy", value: "frame-ancestors 'none'" }],
      },
      {
        source: "/embed/:path*",
        headers: [
          { key: "Content-Security-Policy", value: `frame-ancestors ${embedFrameAncestors.join(" ")}` },
        ],
      },
    ];
  },
};

export default nextConfig;
