ARG UID=10001
FROM golang:1.22 AS builder
RUN go build -o /out/app ./...

FROM gcr.io/distroless/base AS runtime
ARG UID
COPY --from=builder /out/app /app
USER ${UID}:${UID}
ENTRYPOINT ["/app"]
