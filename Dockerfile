# syntax=docker/dockerfile:1
# vip-speaker image. The build stage compiles the TypeScript of bgp/ and src/ (tests, labs and
# benchmarks stay out) and prunes the dev dependencies; the runtime stage holds only the compiled
# JavaScript, the production node_modules and package.json. No iproute2: the speaker places the
# VIPs through rtnetlink itself. test/dockerfile.test.ts lints this file and runs the build
# stage's commands outside a container.

FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: the only install script, koffi's, rebuilds from source (cmake, a compiler)
# when it cannot load its prebuilt binary; that binary comes in @koromix/koffi-<platform> anyway.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY bgp ./bgp
COPY src ./src
RUN npm run build && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/bgp ./dist/bgp
COPY --from=build /src/dist/src ./dist/src
# The image runs unprivileged. The manifests (`vip-speaker manifest`) run the speaker as uid 0
# with NET_ADMIN and NET_RAW only, since Kubernetes gives a non-root process no capabilities.
USER 65532:65532
ENTRYPOINT ["node", "/app/dist/src/cli.js"]
CMD ["run"]
