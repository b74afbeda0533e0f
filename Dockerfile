# syntax=docker/dockerfile:1
# Build: compile TypeScript to dist/ (the service, and the simulator that --demo runs).
FROM node:24-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY packages/simulator/package.json ./packages/simulator/
COPY packages/simulator/src ./packages/simulator/src
RUN npm run build

# Production dependencies only.
FROM node:24-alpine AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:24-alpine
LABEL org.opencontainers.image.title="connect-sentinel" \
      org.opencontainers.image.description="Kafka Connect status exporter and policy-driven auto-restarter" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# Restart history lives in /data; everything else can be a read-only root filesystem.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 9843
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9843/-/healthy').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/src/main.js"]
CMD ["--config.file=/etc/connect-sentinel/sentinel.yaml", "--data.dir=/data"]
