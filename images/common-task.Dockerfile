# A common-task image built offline on top of gofer-node-base (see scripts/build-images.sh). Like the originals
# (spec §9.5): the binary is ./commontask in WORKDIR /app, and the default entry point runs the task.
FROM gofer-node-base:latest
WORKDIR /app
COPY package.json commontask /app/
ENTRYPOINT ["./commontask", "task"]
