# tinygen in a FROM-scratch image: the static binary and nothing else (no shell, no libc).
#
# No multi-stage build: the image must build without pulling anything from a registry, and
# no Rust build image can be pulled here. Build the static binary first, copy it into an
# otherwise empty context directory, then build the image from that directory:
#
#   rustup target add x86_64-unknown-linux-musl
#   cargo build --release --target x86_64-unknown-linux-musl --no-default-features
#   mkdir -p /tmp/tinygen-image
#   cp target/x86_64-unknown-linux-musl/release/tinygen /tmp/tinygen-image/
#   docker build -f Dockerfile -t tinygen /tmp/tinygen-image
#
# (For an ARM host, build aarch64-unknown-linux-musl instead: tests/edge/build-musl.sh. Drop
# --no-default-features to get TLS for tcp:// endpoints.)
#
# Run it like docker-gen's image, in the separate-container setup: the Docker socket at
# /tmp/docker.sock, the templates and the output directory as volumes:
#
#   docker run -d --name tinygen \
#     -v /var/run/docker.sock:/tmp/docker.sock:ro \
#     -v /srv/tinygen/templates:/etc/tinygen:ro \
#     -v nginx-conf:/etc/nginx/conf.d \
#     tinygen -watch -notify-sighup nginx /etc/tinygen/nginx.tmpl /etc/nginx/conf.d/default.conf
FROM scratch
COPY tinygen /tinygen
ENV DOCKER_HOST=unix:///tmp/docker.sock
ENTRYPOINT ["/tinygen"]
