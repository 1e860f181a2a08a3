package metrics

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.uber.org/goleak"

	"github.com/dantte-lp/gobfd/internal/engine"
	"github.com/dantte-lp/gobfd/internal/packet"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type fake struct{ ss []engine.SessionMetrics }

func (f fake) AppendSessionMetrics(buf []engine.SessionMetrics) []engine.SessionMetrics {
	return append(buf, f.ss...)
}
func (fake) Drops(r packet.DropReason) uint64 {
	if r == packet.DropAuthDigest || r == packet.DropTTL {
		return 2
	}
	return 0
}
func (fake) Transitions(from, to packet.State) uint64 {
	if from == packet.StateUp && to == packet.StateDown {
		return 3
	}
	return 0
}
func (fake) TxLateness() engine.Histogram {
	var h engine.Histogram
	h.Counts[0], h.Counts[len(h.Counts)-1] = 5, 1
	h.Sum = 2 * time.Second
	return h
}
func (fake) DetectionLateness() engine.Histogram { return engine.Histogram{} }
func (fake) Overruns() uint64                    { return 0 }
func (fake) EventsLost() uint64                  { return 4 }
func (fake) Stalls() engine.Histogram {
	var h engine.Histogram
	h.Counts[9] = 2 // (10 ms, 25 ms]
	h.Sum = 30 * time.Millisecond
	return h
}
func (fake) DetectionsHeld() uint64 { return 7 }
func (fake) SendErrors() uint64     { return 0 }
func (fake) ReceiveErrors() uint64  { return 1 }

var t0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

func src() fake {
	up := engine.SessionMetrics{Key: engine.Key{Peer: netip.MustParseAddr("198.18.0.2"), Local: netip.MustParseAddr("198.18.0.1")},
		State: packet.StateUp, UpSince: t0.Add(-90 * time.Second), DetectionTime: 150 * time.Millisecond,
		TxInterval: 50 * time.Millisecond, PacketsIn: 10, PacketsOut: 12}
	down := engine.SessionMetrics{Key: engine.Key{Peer: netip.MustParseAddr("2001:db8::2"), Local: netip.MustParseAddr("2001:db8::1"),
		Type: engine.MultiHop}, State: packet.StateDown, TxInterval: time.Second}
	return fake{ss: []engine.SessionMetrics{up, down}}
}

// scrape serves one page of x and returns its (gunzipped) text, checked
// by the Prometheus text parser and linter.
func scrape(t *testing.T, x *Exporter, gz bool) string {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	if gz {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	rec := httptest.NewRecorder()
	x.ServeHTTP(rec, req)
	body := rec.Body.Bytes()
	if gz {
		if rec.Header().Get("Content-Encoding") != "gzip" {
			t.Fatal("gzip not applied")
		}
		r, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if body, err = io.ReadAll(r); err != nil {
			t.Fatal(err)
		}
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Fatalf("content type %q", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	if _, err := p.TextToMetricFamilies(bytes.NewReader(body)); err != nil {
		t.Fatalf("not valid text format: %v\n%s", err, body)
	}
	if probs, err := promlint.New(bytes.NewReader(body)).Lint(); err != nil || len(probs) > 0 {
		t.Fatalf("lint: %v %v", err, probs)
	}
	return string(body)
}

func TestExporterPerSession(t *testing.T) {
	x := NewExporter(src(), Options{Now: func() time.Time { return t0 }}, "test", "abc")
	for _, gz := range []bool{false, true} {
		out := scrape(t, x, gz)
		for _, s := range []string{
			`gobfd_bfd_sessions{state="Up",session_type="single_hop"} 1`,
			`gobfd_bfd_sessions{state="Down",session_type="multi_hop"} 1`,
			`gobfd_bfd_sessions{state="AdminDown",session_type="single_hop"} 0`,
			`gobfd_bfd_session_up_seconds{peer_addr="198.18.0.2",local_addr="198.18.0.1",session_type="single_hop"} 90`,
			`gobfd_bfd_session_up_seconds{peer_addr="2001:db8::2",local_addr="2001:db8::1",session_type="multi_hop"} 0`,
			`gobfd_bfd_packets_sent_total{peer_addr="198.18.0.2",local_addr="198.18.0.1",session_type="single_hop"} 12`,
			`gobfd_bfd_detection_time_seconds{peer_addr="198.18.0.2",local_addr="198.18.0.1",session_type="single_hop"} 0.15`,
			`gobfd_bfd_state_transitions_total{from_state="Up",to_state="Down"} 3`,
			`gobfd_bfd_packets_dropped_total{reason="` + packet.DropTTL.String() + `"} 2`,
			`gobfd_bfd_auth_failures_total 2`,
			`gobfd_bfd_receive_errors_total 1`,
			`gobfd_bfd_events_dropped_total 4`,
			`gobfd_bfd_detections_held_total 7`,
			`gobfd_bfd_engine_stall_seconds_bucket{le="0.01"} 0`,
			`gobfd_bfd_engine_stall_seconds_bucket{le="0.025"} 2`,
			`gobfd_bfd_engine_stall_seconds_count 2`,
			`gobfd_bfd_tx_lateness_seconds_bucket{le="2.5e-05"} 5`,
			`gobfd_bfd_tx_lateness_seconds_bucket{le="+Inf"} 6`,
			`gobfd_bfd_tx_lateness_seconds_count 6`,
			`gobfd_build_info{commit="abc",version="test"} 1`,
			`process_resident_memory_bytes `,
			`go_goroutines `,
		} {
			if !strings.Contains(out, s) {
				t.Errorf("gzip %v: missing %s", gz, s)
			}
		}
	}
}

// Sessions that share peer, local and type but not the interface or the
// VRF (engine.Key allows it) get distinct series: the interface and vrf
// labels, escaped, where they are set.
func TestExporterDistinctSeries(t *testing.T) {
	k := engine.Key{Peer: netip.MustParseAddr("198.18.0.2"), Local: netip.MustParseAddr("198.18.0.1")}
	var f fake
	for _, edit := range []func(*engine.Key){
		func(*engine.Key) {},
		func(k *engine.Key) { k.Interface = "eth0" },
		func(k *engine.Key) { k.Interface = `we"ird\` },
		func(k *engine.Key) { k.VRF = "blue" },
		func(k *engine.Key) { k.Interface, k.VRF = "eth0", "blue" },
	} {
		kk := k
		edit(&kk)
		f.ss = append(f.ss, engine.SessionMetrics{Key: kk, State: packet.StateUp, UpSince: t0, PacketsIn: 1})
	}
	out := scrape(t, NewExporter(f, Options{Now: func() time.Time { return t0 }}, "test", "abc"), false)
	for _, s := range []string{
		`gobfd_bfd_packets_received_total{peer_addr="198.18.0.2",local_addr="198.18.0.1",session_type="single_hop"} 1`,
		`gobfd_bfd_packets_received_total{peer_addr="198.18.0.2",local_addr="198.18.0.1",session_type="single_hop",interface="eth0"} 1`,
		`gobfd_bfd_packets_received_total{peer_addr="198.18.0.2",local_addr="198.18.0.1",session_type="single_hop",interface="we\"ird\\"} 1`,
		`gobfd_bfd_packets_received_total{peer_addr="198.18.0.2",local_addr="198.18.0.1",session_type="single_hop",vrf="blue"} 1`,
		`gobfd_bfd_packets_received_total{peer_addr="198.18.0.2",local_addr="198.18.0.1",session_type="single_hop",interface="eth0",vrf="blue"} 1`,
	} {
		if !strings.Contains(out, s+"\n") {
			t.Errorf("missing %s", s)
		}
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	for name, mf := range mfs {
		seen := map[string]bool{}
		for _, m := range mf.Metric {
			var ls []string
			for _, l := range m.Label {
				ls = append(ls, l.GetName()+"="+l.GetValue())
			}
			id := strings.Join(ls, ",")
			if seen[id] {
				t.Errorf("%s: two series {%s}", name, id)
			}
			seen[id] = true
		}
	}
}

func TestExporterAggregate(t *testing.T) {
	x := NewExporter(src(), Options{Aggregate: true, Now: func() time.Time { return t0 }}, "test", "abc")
	out := scrape(t, x, false)
	if strings.Contains(out, "peer_addr") {
		t.Error("aggregate output has peer labels")
	}
	for _, s := range []string{
		`gobfd_bfd_packets_received_total{session_type="single_hop"} 10`,
		`gobfd_bfd_session_up_seconds{session_type="single_hop"} 1`, // sessions Up
		`gobfd_bfd_detection_time_seconds{session_type="single_hop"} 0.15`,
	} {
		if !strings.Contains(out, s) {
			t.Errorf("missing %s", s)
		}
	}
}

// BenchmarkScrape15000: one scrape of 15,000 sessions (the page a
// Prometheus scrape of a large deployment fetches), allocations per scrape.
func BenchmarkScrape15000(b *testing.B) {
	var f fake
	for i := range 15000 {
		f.ss = append(f.ss, engine.SessionMetrics{Key: engine.Key{
			Peer:  netip.AddrFrom4([4]byte{198, 19, byte(i >> 8), byte(i)}),
			Local: netip.AddrFrom4([4]byte{198, 18, byte(i >> 8), byte(i)})},
			State: packet.StateUp, UpSince: t0, PacketsIn: uint64(i), PacketsOut: uint64(i)})
	}
	x := NewExporter(f, Options{Now: func() time.Time { return t0 }}, "bench", "b")
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	b.ReportAllocs()
	for b.Loop() {
		x.ServeHTTP(discard{}, req)
	}
}

type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(p []byte) (int, error) { return len(p), nil }
func (discard) WriteHeader(int)             {}
