# Outpost image: the TypeScript with its types stripped (scripts/build.ts → dist/), run with the V8 flags of
# `npm start`; Node's own run-time stripper would stay loaded and cost 10–17 MB (docs/performance.md).
# Build:  docker build -t outpost:0.1.0 .
# Ship:   docker save outpost:0.1.0 -o outpost-0.1.0.tar  →  on the node: k3s ctr images import outpost-0.1.0.tar

FROM node:24-alpine AS build
WORKDIR /app
# Manifests first so the dependency layer is cached until they change. better-sqlite3 loads the prebuilt
# linuxmusl binary shipped in its package, so no install script is needed; --ignore-scripts also skips our
# own postinstall (it vendors htmx, done below once scripts/ is copied).
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY server ./server
COPY views ./views
COPY public ./public
COPY scripts ./scripts
COPY bin ./bin
# Vendor htmx into public/vendor/: the node is offline, so nothing is loaded from a CDN.
RUN node scripts/vendor.ts
RUN node scripts/build.ts

FROM node:24-alpine
# Nothing installs packages at runtime: drop npm, npx, corepack and yarn (smaller image, less attack surface).
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
      /opt/yarn-* /usr/local/bin/yarn /usr/local/bin/yarnpkg \
    && mkdir -p /data \
    && chown 10001:10001 /data
WORKDIR /app
# App files stay owned by root and read-only to the runtime user; only /data is writable.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/views ./views
COPY --from=build /app/public ./public
COPY --from=build /app/bin ./bin
ENV NODE_ENV=production OUTPOST_HOST=0.0.0.0 OUTPOST_PORT=8080 OUTPOST_DATA_DIR=/data
VOLUME /data
USER 10001:10001
EXPOSE 8080
CMD ["node", "--max-semi-space-size=1", "--optimize-for-size", "--no-opt", "--no-maglev", "dist/main.js"]
