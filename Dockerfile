# syntax=docker/dockerfile:1
# Build stage: compile TypeScript with the dev dependencies.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json tsconfig.browser.json ./
COPY src ./src
RUN npm run build

# Runtime stage: production dependencies and compiled JavaScript only, as a non-root user.
FROM node:22-bookworm-slim
# tini is PID 1: it forwards SIGTERM (the app drains) and reaps processes local builds leave behind.
# git and bubblewrap are for the local runner (embedded mode without AWS): each local build runs in a
# bubblewrap sandbox, which needs unprivileged user namespaces in the container (see docs/operations.md).
# CodeBuild builds need none of them.
RUN apt-get update && apt-get install -y --no-install-recommends tini git ca-certificates bubblewrap \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
# Embedded mode's table, secrets file and local builds: a volume the non-root user owns.
ENV DATA_DIR=/data
RUN mkdir -p /data && chown node:node /data && chmod 0700 /data
VOLUME /data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY app.yml ./
COPY buildspecs ./buildspecs
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/main.js"]
