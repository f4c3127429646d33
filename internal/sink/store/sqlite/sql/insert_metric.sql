INSERT INTO metrics (metric_id, trace_id, name, value, unit, aggregation_type, timestamp,
                     attributes, resource)
VALUES (?, NULLIF(?, ''), ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (metric_id) DO NOTHING
