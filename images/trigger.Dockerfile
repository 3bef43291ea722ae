# A trigger image built offline on top of gofer-node-base (see scripts/build-images.sh). Like the originals: the binary
# is ./trigger in WORKDIR /app, and the default entry point serves.
FROM gofer-node-base:latest
WORKDIR /app
# As the checkout's launchers (packages/*/trigger): two malloc arenas and a fixed trim threshold keep a burst of
# Subscribe calls from staying resident, and an exposed gc lets the SDK collect, compacting, once the burst is over.
# (The #! line takes one argument, so --expose-gc comes through NODE_OPTIONS, which allows it.)
ENV MALLOC_ARENA_MAX=2 MALLOC_TRIM_THRESHOLD_=131072 NODE_OPTIONS=--expose-gc
COPY package.json trigger /app/
ENTRYPOINT ["./trigger", "server"]
