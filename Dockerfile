# Messaging API image: compiled JS on Node 20, SQLite database in the /data volume.
#
#   docker build -t messaging-api .
#   docker run -p 4000:4000 -v messaging-data:/data -e JWT_SECRET=<32+ bytes> messaging-api
#
# Stages: deps (all packages, better-sqlite3 compiled) -> build (tsc, and
# vite for the chat page web/ -> web/dist/) and
# prod-deps (runtime packages only) -> runtime image.

# ---------------------------------------------------------------------------
FROM node:20-bookworm-slim AS deps

# node-gyp needs these to compile better-sqlite3 (no prebuilt download here).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY package.json package-lock.json ./

# Install scripts are skipped (the package.json "allowScripts" list says which
# ones the project needs; npm 10 would otherwise run all of them, including
# @prisma/engines' download of a schema engine binary the server never uses),
# then better-sqlite3's native addon is compiled from source.
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npm_config_build_from_source=true npm rebuild better-sqlite3

# ---------------------------------------------------------------------------
FROM deps AS build

COPY tsconfig.json ./
COPY scripts/bundle.mjs ./scripts/
COPY src ./src
COPY web ./web
RUN npm run build

# ---------------------------------------------------------------------------
FROM deps AS prod-deps

# --omit=optional as well: the Prisma CLI and typescript are *optional peer*
# dependencies of @prisma/client ("devOptional" in the lockfile), which
# --omit=dev alone keeps (about 250 MB). No runtime dependency is optional.
# Then drop better-sqlite3's sources and build intermediates, keeping
# build/Release/better_sqlite3.node.
RUN npm prune --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund \
 && cd node_modules/better-sqlite3 \
 && rm -rf deps src build/deps build/Release/obj build/Release/obj.target build/Release/.deps \
           build/Release/test_extension.node build/Release/sqlite3.a \
 && node -e "require('better-sqlite3')(':memory:').prepare('select 1').get()"

# ---------------------------------------------------------------------------
FROM node:20-bookworm-slim AS runtime

ENV NODE_ENV=production \
    DATABASE_URL=file:/data/messaging.db \
    PORT=4000

WORKDIR /app

COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The chat page (served at /app with APP_PAGE=on; dist/http/appPage.js -> ../../web/dist).
COPY --from=build /app/web/dist ./web/dist
# Read at run time: schema.graphql (dist/graphql/schema.js -> ../../schema.graphql)
# and prisma/migrations (applied at start by dist/db/sqlite.js).
COPY package.json schema.graphql ./
# The trusted documents (TRUSTED_DOCUMENTS=only runs nothing else).
COPY client/generated/persisted-documents.json ./client/generated/
COPY prisma ./prisma

RUN mkdir -p /data && chown node:node /data
VOLUME /data

USER node
EXPOSE 4000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# node is PID 1 (the base entrypoint execs it): the app handles SIGTERM itself.
# The bundled server (scripts/bundle.mjs): starts in about half the time of
# dist/main.js. The V8 flags are npm start's (package.json; scripts/start.mjs
# says what each saves): peak RSS under load 280 -> 176 MB, throughput within noise.
CMD ["node", "--heap-growing-percent=50", "--max-semi-space-size=8", "dist/bundle/main.js"]
