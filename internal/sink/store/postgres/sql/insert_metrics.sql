INSERT INTO metrics (metric_id, trace_id, name, value, unit, aggregation_type, timestamp,
                     attributes, resource)
SELECT metric_id, trace_id, name, value, unit, aggregation_type, timestamp, attributes, resource
FROM stage_metrics ORDER BY metric_id
ON CONFLICT (metric_id) DO NOTHING
