# A trigger image built offline on top of gofer-node-base (see scripts/build-images.sh). Like the originals: the binary
# is ./trigger in WORKDIR /app, and the default entry point serves.
FROM gofer-node-base:latest
WORKDIR /app
COPY package.json trigger /app/
ENTRYPOINT ["./trigger", "server"]
