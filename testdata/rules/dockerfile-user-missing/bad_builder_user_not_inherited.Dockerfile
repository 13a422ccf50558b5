FROM golang:1.22 AS builder
USER 10001
RUN go build -o /out/app ./...

FROM gcr.io/distroless/base
COPY --from=builder /out/app /app
ENTRYPOINT ["/app"]
