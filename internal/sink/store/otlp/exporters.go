package otlp

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploggrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// Exporter retry: short, because the sink's pipeline retries the whole
// batch with its own backoff when an export still fails.
const (
	retryInitial = 100 * time.Millisecond
	retryMax     = time.Second
)

// The endpoint URL schemes the store accepts.
const (
	schemeHTTP  = "http"
	schemeHTTPS = "https"
)

// exporters are the three signal exporters of one protocol: the trace
// forwarder (forward.go) and the SDK's metric and log exporters.
type exporters struct {
	trace  forwarder
	metric sdkmetric.Exporter
	log    sdklog.Exporter
}

// target is the parsed endpoint.
type target struct {
	host     string
	path     string
	insecure bool
}

func parseTarget(opt Options) (target, error) {
	u, err := url.Parse(opt.Endpoint)
	if err != nil || (u.Scheme != schemeHTTP && u.Scheme != schemeHTTPS) || u.Host == "" {
		return target{}, fmt.Errorf("%w: otlp endpoint %q must be an http:// or https:// URL with a host", store.ErrInvalid, opt.Endpoint)
	}
	return target{host: u.Host, path: strings.TrimSuffix(u.Path, "/"), insecure: opt.Insecure || u.Scheme == schemeHTTP}, nil
}

func newExporters(ctx context.Context, opt Options) (*exporters, error) {
	t, err := parseTarget(opt)
	if err != nil {
		return nil, err
	}
	var e *exporters
	switch opt.Protocol {
	case "", ProtocolGRPC:
		e, err = grpcExporters(ctx, t, opt)
	case ProtocolHTTP:
		e, err = httpExporters(ctx, t, opt)
	default:
		return nil, fmt.Errorf("%w: otlp protocol %q must be grpc or http/protobuf", store.ErrInvalid, opt.Protocol)
	}
	if err != nil {
		return nil, fmt.Errorf("otlp exporters: %w", err)
	}
	return e, nil
}

func grpcExporters(ctx context.Context, t target, opt Options) (*exporters, error) {
	me := []otlpmetricgrpc.Option{otlpmetricgrpc.WithEndpoint(t.host), otlpmetricgrpc.WithHeaders(opt.Headers),
		otlpmetricgrpc.WithTimeout(opt.Timeout), otlpmetricgrpc.WithRetry(otlpmetricgrpc.RetryConfig{
			Enabled: true, InitialInterval: retryInitial, MaxInterval: retryMax, MaxElapsedTime: opt.Timeout})}
	lo := []otlploggrpc.Option{otlploggrpc.WithEndpoint(t.host), otlploggrpc.WithHeaders(opt.Headers),
		otlploggrpc.WithTimeout(opt.Timeout), otlploggrpc.WithRetry(otlploggrpc.RetryConfig{
			Enabled: true, InitialInterval: retryInitial, MaxInterval: retryMax, MaxElapsedTime: opt.Timeout})}
	if t.insecure {
		me = append(me, otlpmetricgrpc.WithInsecure())
		lo = append(lo, otlploggrpc.WithInsecure())
	}
	m, err := otlpmetricgrpc.New(ctx, me...)
	if err != nil {
		return nil, err
	}
	l, err := otlploggrpc.New(ctx, lo...)
	if err != nil {
		return nil, err
	}
	fwd, err := newGRPCForwarder(t, opt)
	if err != nil {
		return nil, err
	}
	return &exporters{trace: fwd, metric: m, log: l}, nil
}

func httpExporters(ctx context.Context, t target, opt Options) (*exporters, error) {
	me := []otlpmetrichttp.Option{otlpmetrichttp.WithEndpoint(t.host), otlpmetrichttp.WithURLPath(t.path + "/v1/metrics"),
		otlpmetrichttp.WithHeaders(opt.Headers), otlpmetrichttp.WithTimeout(opt.Timeout),
		otlpmetrichttp.WithRetry(otlpmetrichttp.RetryConfig{
			Enabled: true, InitialInterval: retryInitial, MaxInterval: retryMax, MaxElapsedTime: opt.Timeout})}
	lo := []otlploghttp.Option{otlploghttp.WithEndpoint(t.host), otlploghttp.WithURLPath(t.path + "/v1/logs"),
		otlploghttp.WithHeaders(opt.Headers), otlploghttp.WithTimeout(opt.Timeout),
		otlploghttp.WithRetry(otlploghttp.RetryConfig{
			Enabled: true, InitialInterval: retryInitial, MaxInterval: retryMax, MaxElapsedTime: opt.Timeout})}
	if t.insecure {
		me = append(me, otlpmetrichttp.WithInsecure())
		lo = append(lo, otlploghttp.WithInsecure())
	}
	m, err := otlpmetrichttp.New(ctx, me...)
	if err != nil {
		return nil, err
	}
	l, err := otlploghttp.New(ctx, lo...)
	if err != nil {
		return nil, err
	}
	return &exporters{trace: newHTTPForwarder(t, opt), metric: m, log: l}, nil
}

func (e *exporters) metrics(ctx context.Context, rms []*metricdata.ResourceMetrics) error {
	errs := make([]error, 0, len(rms))
	for _, rm := range rms {
		errs = append(errs, e.metric.Export(ctx, rm))
	}
	return errors.Join(errs...)
}

func (e *exporters) logs(ctx context.Context, records []sdklog.Record) error {
	return e.log.Export(ctx, records)
}

func (e *exporters) shutdown(ctx context.Context) error {
	return errors.Join(e.trace.close(), e.metric.Shutdown(ctx), e.log.Shutdown(ctx))
}
