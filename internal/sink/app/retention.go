package app

import (
	"context"
	"time"
)

// startRetention prunes old data every retention.interval when the
// configuration asks for a maximum age and the store supports it.
func (a *App) startRetention() {
	maxAge := a.cfg.Retention.MaxAge.Duration
	a.retentionDone = make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	a.stopRetention = cancel
	if maxAge <= 0 || a.store.Capabilities().NoRetention {
		close(a.retentionDone)
		return
	}
	go func() {
		defer close(a.retentionDone)
		tick := time.NewTicker(a.cfg.Retention.Interval.Duration)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-tick.C:
				a.prune(ctx, now.Add(-maxAge))
			}
		}
	}()
}

func (a *App) prune(ctx context.Context, cutoff time.Time) {
	res, err := a.store.Prune(ctx, cutoff)
	if err != nil {
		a.log.Error("retention: prune failed; will try again next interval", "cutoff", cutoff, "error", err)
		return
	}
	a.log.Info("retention: pruned old data", "cutoff", cutoff, "traces", res.Traces, "spans", res.Spans,
		"events", res.Events, "metrics", res.Metrics)
}

func (a *App) stopRetentionLoop() {
	if a.stopRetention != nil {
		a.stopRetention()
		<-a.retentionDone
	}
}
