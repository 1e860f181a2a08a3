package config

import (
	"fmt"
	"strconv"
	"time"
)

// applyEnv applies GOBFD_* overrides: GOBFD_GRPC_ADDR, GOBFD_METRICS_ADDR,
// GOBFD_METRICS_PATH, GOBFD_LOG_LEVEL, GOBFD_LOG_FORMAT,
// GOBFD_BFD_DEFAULT_DESIRED_MIN_TX, GOBFD_BFD_DEFAULT_REQUIRED_MIN_RX,
// GOBFD_BFD_DEFAULT_DETECT_MULT, GOBFD_BFD_MULTIHOP_MIN_TTL,
// GOBFD_SCHEDULING_SHARDS, GOBFD_FLIGHT_RECORDER_ENABLED,
// GOBFD_FLIGHT_RECORDER_DIR.
func applyEnv(c *Config, env func(string) (string, bool)) error {
	str := map[string]*string{
		"GOBFD_GRPC_ADDR":           &c.GRPC.Addr,
		"GOBFD_METRICS_ADDR":        &c.Metrics.Addr,
		"GOBFD_METRICS_PATH":        &c.Metrics.Path,
		"GOBFD_LOG_LEVEL":           &c.Log.Level,
		"GOBFD_LOG_FORMAT":          &c.Log.Format,
		"GOBFD_FLIGHT_RECORDER_DIR": &c.FlightRecorder.Dir,
	}
	for k, p := range str {
		if v, ok := env(k); ok {
			*p = v
		}
	}
	dur := map[string]*Duration{
		"GOBFD_BFD_DEFAULT_DESIRED_MIN_TX":  &c.BFD.DefaultDesiredMinTx,
		"GOBFD_BFD_DEFAULT_REQUIRED_MIN_RX": &c.BFD.DefaultRequiredMinRx,
	}
	for k, p := range dur {
		if v, ok := env(k); ok {
			d, err := time.ParseDuration(v)
			if err != nil {
				return fmt.Errorf("config: %s: %q is not a duration (e.g. \"100ms\")", k, v)
			}
			*p = Duration(d)
		}
	}
	ints := map[string]*int{
		"GOBFD_BFD_DEFAULT_DETECT_MULT": &c.BFD.DefaultDetectMult,
		"GOBFD_BFD_MULTIHOP_MIN_TTL":    &c.BFD.MultiHopMinTTL,
		"GOBFD_SCHEDULING_SHARDS":       &c.Scheduling.Shards,
	}
	for k, p := range ints {
		if v, ok := env(k); ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				return fmt.Errorf("config: %s: %q is not a whole number", k, v)
			}
			*p = n
		}
	}
	if v, ok := env("GOBFD_FLIGHT_RECORDER_ENABLED"); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("config: GOBFD_FLIGHT_RECORDER_ENABLED: %q is not true or false", v)
		}
		c.FlightRecorder.Enabled = b
	}
	return nil
}
