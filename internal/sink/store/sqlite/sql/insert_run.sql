INSERT INTO metric_runs (name, bucket_start, count, points) VALUES (?, ?, ?, ?)
