# vip-speaker image: build stage compiles the TypeScript; the runtime stage holds only the
# compiled JavaScript, production dependencies and iproute2 (VIPs are placed with `ip`).
# syntax=docker/dockerfile:1

FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY bgp ./bgp
COPY src ./src
COPY test ./test
COPY bench ./bench
COPY integration ./integration
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends iproute2 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/bgp ./dist/bgp
COPY --from=build /src/dist/src ./dist/src
# Runs as an unprivileged user; the DaemonSet adds NET_ADMIN (addresses on lo) and NET_RAW.
USER 65532:65532
ENTRYPOINT ["node", "/app/dist/src/cli.js"]
CMD ["run"]
