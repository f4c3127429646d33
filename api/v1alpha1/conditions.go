package v1alpha1

// Condition types of a TelemetryBackend.
const (
	// ConditionReady is True when every desired sink pod is ready.
	ConditionReady = "Ready"
	// ConditionProgressing is True while the sink rolls out a change.
	ConditionProgressing = "Progressing"
	// ConditionDegraded is True when the backend needs a fix; the reason
	// and message say which.
	ConditionDegraded = "Degraded"
)

// Condition reasons, one vocabulary for every condition type.
const (
	// ReasonAvailable: all desired sink pods are ready.
	ReasonAvailable = "Available"
	// ReasonRollingOut: the Deployment has not yet rolled out the latest
	// pod template.
	ReasonRollingOut = "RollingOut"
	// ReasonRolledOut: the Deployment runs the latest pod template.
	ReasonRolledOut = "RolledOut"
	// ReasonScaledToZero: spec.sink.replicas is 0, so nothing serves.
	ReasonScaledToZero = "ScaledToZero"
	// ReasonSinkUnavailable: fewer sink pods are ready than desired.
	ReasonSinkUnavailable = "SinkUnavailable"
	// ReasonSecretNotFound: a referenced Secret or Secret key is missing;
	// the sink is not started until it exists.
	ReasonSecretNotFound = "SecretNotFound"
	// ReasonInvalidConfig: the spec passed the API's validation but the
	// sink configuration rendered from it did not.
	ReasonInvalidConfig = "InvalidConfig"
	// ReasonApplyFailed: the API server refused an owned object.
	ReasonApplyFailed = "ApplyFailed"
	// ReasonAsExpected: nothing is wrong.
	ReasonAsExpected = "AsExpected"
)
