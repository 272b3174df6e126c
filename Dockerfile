# One image recipe, one target per app:
#   docker build --target gateway -t hookstream/gateway .
#   (targets: gateway, matcher, delivery-worker, migrate)
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund \
 && npx turbo run build \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production
# The apps' Node.js flags: packages/service-kit/src/lifecycle/node-flags.ts says why.
ENV NODE_OPTIONS=--max-semi-space-size=32
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/packages ./packages
COPY --from=build /app/apps ./apps
COPY --from=build /app/scripts ./scripts
USER node
# The operations port (OPS_PORT: /healthz, /readyz, /metrics) listens on the container's address,
# for probes and Prometheus; publish only the gateway's API port (PORT) outside.
ENV OPS_HOST=0.0.0.0
# Health probes use the apps' own /readyz on their operations port.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.OPS_PORT||9464)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"

FROM runtime AS migrate
CMD ["node", "scripts/migrate.mjs"]

FROM runtime AS gateway
ENV PORT=8080 OPS_PORT=9464
EXPOSE 8080
CMD ["node", "apps/gateway/dist/main.js"]

FROM runtime AS matcher
# Its larger young generation (MATCHER_NODE_FLAGS in node-flags.ts).
ENV OPS_PORT=8081 NODE_OPTIONS=--max-semi-space-size=64
CMD ["node", "apps/matcher/dist/main.js"]

FROM runtime AS delivery-worker
ENV OPS_PORT=8082
CMD ["node", "apps/delivery-worker/dist/main.js"]
