# Handshake: build with `docker build -t handshake:0.1.0 .` from the repository root, then
# `kubectl apply -k deploy/` (deploy/deployment.yaml runs this image read-only as uid 10001).

# 1. Dependencies, exactly as locked (dev dependencies included: the build needs TypeScript).
FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# 2. The production build (.next).
FROM node:20-slim AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY --from=deps /app/node_modules ./node_modules
COPY . .
RUN node node_modules/next/dist/bin/next build

# 3. Runtime dependencies only.
FROM node:20-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# 4. The image: node:20-slim, non-root, nothing written outside /tmp (and .next/cache, both emptyDirs in
# deploy/deployment.yaml). demo/ is kept for HANDSHAKE_DEMO=1 (the embedded demo cluster).
FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    HOME=/tmp \
    HANDSHAKE_DATA_DIR=/tmp/handshake \
    PORT=3000
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/.next ./.next
COPY --from=build /app/public ./public
COPY --from=build /app/demo ./demo
COPY --from=build /app/package.json /app/next.config.js ./
# Next.js writes its cache under .next/cache: owned by the runtime user for `docker run` without a volume.
RUN mkdir -p .next/cache && chown -R 10001:10001 .next/cache
USER 10001:10001
EXPOSE 3000
CMD ["node", "node_modules/next/dist/bin/next", "start", "-p", "3000"]
