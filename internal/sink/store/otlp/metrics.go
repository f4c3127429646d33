package otlp

import (
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/spark-dev/telemetry-operator/internal/sink/otlpwire"
	"github.com/spark-dev/telemetry-operator/internal/sink/store"
)

// Attributes the sink's receiver adds to histogram and summary points.
const (
	attrCount = "count"
	attrMin   = "min"
	attrMax   = "max"
)

// resourceMetrics groups points by resource, one metric per point: the
// points of a batch come from many exports and need not share temporality
// or start times.
func resourceMetrics(points []store.Metric) []*metricdata.ResourceMetrics {
	var out []*metricdata.ResourceMetrics
	byResource := map[string]*metricdata.ResourceMetrics{}
	var keys otlpwire.ResourceKeys
	for i := range points {
		p := &points[i]
		rk := keys.Of(p.Resource)
		rm, ok := byResource[rk]
		if !ok {
			rm = &metricdata.ResourceMetrics{Resource: otelResource(p.Resource),
				ScopeMetrics: []metricdata.ScopeMetrics{{Scope: *scope}}}
			byResource[rk] = rm
			out = append(out, rm)
		}
		rm.ScopeMetrics[0].Metrics = append(rm.ScopeMetrics[0].Metrics, metric(p))
	}
	return out
}

func metric(p *store.Metric) metricdata.Metrics {
	m := metricdata.Metrics{Name: p.Name, Unit: p.Unit}
	switch p.AggregationType {
	case store.AggregationSum:
		m.Data = metricdata.Sum[float64]{Temporality: metricdata.CumulativeTemporality,
			DataPoints: []metricdata.DataPoint[float64]{numberPoint(p)}}
	case store.AggregationHistogram:
		m.Data = histogram(p)
	case store.AggregationSummary:
		attrs, count, _, _ := distribution(p.Attributes)
		m.Data = metricdata.Summary{DataPoints: []metricdata.SummaryDataPoint{{
			Attributes: attrs, Time: p.Timestamp, Count: count, Sum: p.Value}}}
	default:
		m.Data = metricdata.Gauge[float64]{DataPoints: []metricdata.DataPoint[float64]{numberPoint(p)}}
	}
	return m
}

func numberPoint(p *store.Metric) metricdata.DataPoint[float64] {
	return metricdata.DataPoint[float64]{Attributes: attribute.NewSet(otelAttrs(p.Attributes)...), Time: p.Timestamp, Value: p.Value}
}

// histogram keeps count, sum, min and max in a single bucket.
func histogram(p *store.Metric) metricdata.Histogram[float64] {
	attrs, count, lo, hi := distribution(p.Attributes)
	dp := metricdata.HistogramDataPoint[float64]{
		Attributes: attrs, Time: p.Timestamp, Count: count, Sum: p.Value, BucketCounts: []uint64{count},
	}
	if lo != nil {
		dp.Min = metricdata.NewExtrema(*lo)
	}
	if hi != nil {
		dp.Max = metricdata.NewExtrema(*hi)
	}
	return metricdata.Histogram[float64]{Temporality: metricdata.CumulativeTemporality,
		DataPoints: []metricdata.HistogramDataPoint[float64]{dp}}
}

// distribution separates the count, min and max the receiver stored as
// attributes from the point's own attributes.
func distribution(a store.Attributes) (attrs attribute.Set, count uint64, lo, hi *float64) {
	own := make(store.Attributes, len(a))
	for k, v := range a {
		switch k {
		case attrCount:
			count = uint64(number(v))
		case attrMin:
			f := number(v)
			lo = &f
		case attrMax:
			f := number(v)
			hi = &f
		default:
			own[k] = v
		}
	}
	return attribute.NewSet(otelAttrs(own)...), count, lo, hi
}

func number(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case int:
		return float64(x)
	case float64:
		return x
	default:
		return 0
	}
}
