# For users with a registry: build a trigger image on the official Node image instead of the offline base.
#   pnpm build  (writes packages/triggers-<name>/dist/trigger.mjs)
#   docker build -f images/trigger-node.Dockerfile --build-arg TRIGGER=interval -t my/interval-trigger .
FROM node:20-slim
ARG TRIGGER=interval
WORKDIR /app
COPY packages/triggers-${TRIGGER}/dist/trigger.mjs /app/trigger.mjs
RUN printf '#!/bin/sh\nexec node --max-semi-space-size=1 --optimize-for-size --expose-gc /app/trigger.mjs "$@"\n' > /app/trigger && chmod +x /app/trigger
# Node as PID 1 handles SIGTERM itself (the SDK stops gracefully on it).
ENTRYPOINT ["./trigger", "server"]
