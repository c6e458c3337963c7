# syntax=docker/dockerfile:1
# leakless container image: `docker run --rm -v "$PWD:/repo" ghcr.io/leakless/leakless scan /repo`.
#
# Stage 1 builds a static musl binary with the `dist` profile. Stage 2 is Alpine with git:
# history, range and staged scans read objects in-process (gitoxide), but `--log-opts`, the
# pre-push hook and `migrate` run the git CLI, and a CI job using this image expects git there.
# distroless/static has no git and no package manager to add one (copying git with its shared
# libraries and helpers into it by hand is fragile); Alpine's git is one signed package, ~20 MB,
# and musl is what the binary is built for anyway.

ARG RUST_VERSION=1.95
ARG ALPINE_VERSION=3.22

FROM rust:${RUST_VERSION}-alpine${ALPINE_VERSION} AS build
# C toolchain headers for the bundled bzip2/liblzma and ring sources (the image ships gcc).
# hadolint ignore=DL3018
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY Cargo.toml Cargo.lock build.rs ./
COPY src ./src
COPY rules ./rules
# The commit the image is built from (no .git in the build context): `leakless version`.
ARG VCS_REF=""
ENV LEAKLESS_BUILD_COMMIT=${VCS_REF}
RUN cargo build --locked --profile dist --bin leakless \
    && install -D -m 0755 target/dist/leakless /out/leakless \
    && /out/leakless version

FROM alpine:${ALPINE_VERSION}
ARG VERSION=dev
ARG VCS_REF=""
LABEL org.opencontainers.image.title="leakless" \
      org.opencontainers.image.description="Secret-leak scanner: working tree, git history, ranges and staged changes; gitleaks-format rules" \
      org.opencontainers.image.source="https://github.com/leakless/leakless" \
      org.opencontainers.image.url="https://github.com/leakless/leakless" \
      org.opencontainers.image.documentation="https://github.com/leakless/leakless#readme" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${VCS_REF}"
# git from Alpine's signed repository, tracking the release branch's security fixes (an exact
# pin breaks the build as soon as Alpine ships the next fix, so versions are not pinned).
# hadolint ignore=DL3018
RUN apk add --no-cache git ca-certificates \
    && adduser -D -H -u 10001 -s /sbin/nologin leakless \
    # A mounted repository belongs to the host user, not to uid 10001; git would refuse it as
    # "dubious ownership". The image only ever reads the repositories it is given.
    && git config --system --add safe.directory '*'
COPY --from=build /out/leakless /usr/local/bin/leakless
USER 10001:10001
WORKDIR /repo
ENTRYPOINT ["leakless"]
CMD ["scan", "."]
