//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// dump prints what a failure needs to be understood: the events of every
// namespace, the TelemetryBackends, and the logs of the operator and of every
// sink pod.
func (e *env) dump(ctx context.Context) {
	fmt.Println("e2e: ===== diagnostics =====")
	events, err := e.cs.CoreV1().Events("").List(ctx, metav1.ListOptions{})
	if err != nil {
		fmt.Println("e2e: listing events:", err)
	} else {
		items := events.Items
		sort.Slice(items, func(i, j int) bool { return items[i].LastTimestamp.Before(&items[j].LastTimestamp) })
		for _, ev := range items {
			fmt.Printf("event %s %s/%s %s %s: %s\n", ev.LastTimestamp.Format("15:04:05"), ev.Namespace,
				ev.InvolvedObject.Name, ev.Type, ev.Reason, strings.TrimSpace(ev.Message))
		}
	}
	if out, err := run(ctx, e.root, "kubectl", "--kubeconfig", e.kubeconfig, "get",
		"telemetrybackends,deployments,pods,pvc,svc", "-A", "-o", "wide"); err == nil {
		fmt.Println(out)
	}
	e.dumpLogs(ctx, operatorNS, "app.kubernetes.io/name=telemetry-operator")
	e.dumpLogs(ctx, "", "app.kubernetes.io/name=telemetry-sink")
	e.dumpLogs(ctx, "", "app=demoapp")
}

func (e *env) dumpLogs(ctx context.Context, ns, selector string) {
	pods, err := e.cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		fmt.Printf("e2e: listing pods %s: %v\n", selector, err)
		return
	}
	for _, p := range pods.Items {
		for _, c := range p.Spec.Containers {
			fmt.Printf("----- logs %s/%s [%s] -----\n", p.Namespace, p.Name, c.Name)
			tail := int64(200)
			req := e.cs.CoreV1().Pods(p.Namespace).GetLogs(p.Name, &corev1.PodLogOptions{Container: c.Name, TailLines: &tail})
			stream, err := req.Stream(ctx)
			if err != nil {
				fmt.Println("(no logs:", err, ")")
				continue
			}
			b, _ := io.ReadAll(stream)
			_ = stream.Close()
			fmt.Println(string(b))
		}
	}
}
