package otlpwire

import (
	"encoding/hex"

	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"

	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// Metrics maps a decoded metrics export onto records: one store.Metric per
// data point, as far as the policy keeps them.
func Metrics(req *colmetricspb.ExportMetricsServiceRequest, p Policy) *store.Batch {
	b := &store.Batch{}
	for _, rm := range req.GetResourceMetrics() {
		res := p.Resource(Attributes(rm.GetResource().GetAttributes()))
		for _, sm := range rm.GetScopeMetrics() {
			for _, m := range sm.GetMetrics() {
				if points := metricPoints(m, res); p.Metric(len(points)) {
					b.Metrics = append(b.Metrics, points...)
				}
			}
		}
	}
	return b
}

// metricPoints maps every data point of one metric, whatever its kind.
func metricPoints(m *metricspb.Metric, res store.Attributes) []store.Metric {
	base := store.Metric{Name: m.GetName(), Unit: m.GetUnit(), Resource: res}
	var out []store.Metric
	switch d := m.GetData().(type) {
	case *metricspb.Metric_Gauge:
		for _, p := range d.Gauge.GetDataPoints() {
			out = append(out, numberPoint(base, store.AggregationGauge, p))
		}
	case *metricspb.Metric_Sum:
		for _, p := range d.Sum.GetDataPoints() {
			out = append(out, numberPoint(base, store.AggregationSum, p))
		}
	case *metricspb.Metric_Histogram:
		for _, p := range d.Histogram.GetDataPoints() {
			pt := point(base, store.AggregationHistogram, p.GetTimeUnixNano(), p.GetSum(), p.GetAttributes(), p.GetExemplars())
			out = append(out, withStats(pt, p.GetCount(), p.Min, p.Max))
		}
	case *metricspb.Metric_ExponentialHistogram:
		for _, p := range d.ExponentialHistogram.GetDataPoints() {
			pt := point(base, store.AggregationHistogram, p.GetTimeUnixNano(), p.GetSum(), p.GetAttributes(), p.GetExemplars())
			out = append(out, withStats(pt, p.GetCount(), p.Min, p.Max))
		}
	case *metricspb.Metric_Summary:
		for _, p := range d.Summary.GetDataPoints() {
			pt := point(base, store.AggregationSummary, p.GetTimeUnixNano(), p.GetSum(), p.GetAttributes(), nil)
			out = append(out, withStats(pt, p.GetCount(), nil, nil))
		}
	}
	return out
}

func numberPoint(base store.Metric, agg string, p *metricspb.NumberDataPoint) store.Metric {
	v := p.GetAsDouble()
	if _, isInt := p.GetValue().(*metricspb.NumberDataPoint_AsInt); isInt {
		v = float64(p.GetAsInt())
	}
	return point(base, agg, p.GetTimeUnixNano(), v, p.GetAttributes(), p.GetExemplars())
}

func point(base store.Metric, agg string, ts uint64, v float64, kvs []*commonpb.KeyValue, ex []*metricspb.Exemplar) store.Metric {
	base.AggregationType = agg
	base.Timestamp = timestamp(ts)
	base.Value = v
	base.Attributes = Attributes(kvs)
	for _, e := range ex {
		if _, ok := TraceID(e.GetTraceId()); ok {
			base.TraceID = hex.EncodeToString(e.GetTraceId())
			break
		}
	}
	base.MetricID = metricID(&base)
	return base
}

// withStats records a distribution's count, and min and max when the
// exporter sent them.
func withStats(m store.Metric, count uint64, lo, hi *float64) store.Metric {
	attrs := make(store.Attributes, len(m.Attributes)+3)
	for k, v := range m.Attributes {
		attrs[k] = v
	}
	attrs[store.AttrCount] = int64(count)
	if lo != nil {
		attrs[store.AttrMin] = *lo
	}
	if hi != nil {
		attrs[store.AttrMax] = *hi
	}
	m.Attributes = attrs
	m.MetricID = metricID(&m)
	return m
}
