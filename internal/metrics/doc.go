// Package metrics exports the engine to Prometheus (prefix gobfd_bfd_).
//
// It is a custom collector: nothing is updated for metrics on the packet
// path beyond the engine's own atomic counters. At scrape time the collector
// reads the engine-wide counters and histograms and one copied snapshot of
// every session, and builds the series then. With Options.Aggregate the
// per-session series lose their peer labels and are summed.
package metrics
