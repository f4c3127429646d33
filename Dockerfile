# One image carries both binaries: /manager (the operator) and /sink (what it
# runs for each TelemetryBackend). `make docker-build` compiles them as static
# binaries into bin/<os>_<arch>/ first, so the build needs no Go image and
# reuses the host's build cache.
FROM gcr.io/distroless/static:nonroot
ARG TARGETOS=linux
ARG TARGETARCH=amd64
WORKDIR /
COPY bin/${TARGETOS}_${TARGETARCH}/manager /manager
COPY bin/${TARGETOS}_${TARGETARCH}/sink /sink
USER 65532:65532
ENTRYPOINT ["/manager"]
