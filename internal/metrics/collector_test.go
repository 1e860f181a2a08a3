package metrics

import (
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/goleak"

	"github.com/dantte-lp/gobfd/internal/engine"
	"github.com/dantte-lp/gobfd/internal/packet"
	"github.com/dantte-lp/gobfd/internal/session"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type fake struct{ ss []engine.SessionInfo }

func (f fake) Sessions() []engine.SessionInfo { return f.ss }
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
func (fake) SendErrors() uint64                  { return 0 }

var t0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

func src() fake {
	up := engine.SessionInfo{Key: engine.Key{Peer: netip.MustParseAddr("198.18.0.2"), Local: netip.MustParseAddr("198.18.0.1")},
		UpSince: t0.Add(-90 * time.Second),
		Snapshot: session.Snapshot{State: packet.StateUp, DetectionTime: 150 * time.Millisecond,
			TxInterval: 50 * time.Millisecond, Counters: session.Counters{PacketsIn: 10, PacketsOut: 12}}}
	down := engine.SessionInfo{Key: engine.Key{Peer: netip.MustParseAddr("2001:db8::2"), Local: netip.MustParseAddr("2001:db8::1"),
		Type: engine.MultiHop}, Snapshot: session.Snapshot{State: packet.StateDown, TxInterval: time.Second}}
	return fake{ss: []engine.SessionInfo{up, down}}
}

func TestCollectorPerSession(t *testing.T) {
	c := New(src(), Options{Now: func() time.Time { return t0 }})
	if p, err := testutil.CollectAndLint(c); err != nil || len(p) > 0 {
		t.Fatalf("lint: %v %v", err, p)
	}
	want := `
# HELP gobfd_bfd_session_up_seconds How long the session has been Up (0 when not Up).
# TYPE gobfd_bfd_session_up_seconds gauge
gobfd_bfd_session_up_seconds{local_addr="198.18.0.1",peer_addr="198.18.0.2",session_type="single_hop"} 90
gobfd_bfd_session_up_seconds{local_addr="2001:db8::1",peer_addr="2001:db8::2",session_type="multi_hop"} 0
# HELP gobfd_bfd_auth_failures_total Packets discarded by authentication (RFC 5880 §6.7).
# TYPE gobfd_bfd_auth_failures_total counter
gobfd_bfd_auth_failures_total 2
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), "gobfd_bfd_session_up_seconds", "gobfd_bfd_auth_failures_total"); err != nil {
		t.Error(err)
	}
	out := gather(t, c)
	for _, s := range []string{
		`gobfd_bfd_sessions{session_type="single_hop",state="Up"} 1`,
		`gobfd_bfd_sessions{session_type="multi_hop",state="Down"} 1`,
		`gobfd_bfd_sessions{session_type="single_hop",state="AdminDown"} 0`,
		`gobfd_bfd_state_transitions_total{from_state="Up",to_state="Down"} 3`,
		`gobfd_bfd_packets_dropped_total{reason="` + packet.DropTTL.String() + `"} 2`,
		`gobfd_bfd_packets_sent_total{local_addr="198.18.0.1",peer_addr="198.18.0.2",session_type="single_hop"} 12`,
		`gobfd_bfd_detection_time_seconds{local_addr="198.18.0.1",peer_addr="198.18.0.2",session_type="single_hop"} 0.15`,
		`gobfd_bfd_tx_lateness_seconds_bucket{le="2.5e-05"} 5`,
		`gobfd_bfd_tx_lateness_seconds_bucket{le="+Inf"} 6`,
		`gobfd_bfd_tx_lateness_seconds_count 6`,
	} {
		if !strings.Contains(out, s) {
			t.Errorf("missing %s", s)
		}
	}
}

func TestCollectorAggregate(t *testing.T) {
	c := New(src(), Options{Aggregate: true, Now: func() time.Time { return t0 }})
	out := gather(t, c)
	if strings.Contains(out, "peer_addr") {
		t.Error("aggregate output has peer labels")
	}
	if !strings.Contains(out, `gobfd_bfd_packets_received_total{session_type="single_hop"} 10`) {
		t.Errorf("aggregate received:\n%s", out)
	}
}

func gather(t *testing.T, c *Collector) string {
	t.Helper()
	r := Registry(c, "test", "abc")
	mfs, err := r.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			b.WriteString(mf.GetName())
			var ls []string
			for _, l := range m.GetLabel() {
				ls = append(ls, l.GetName()+`="`+l.GetValue()+`"`)
			}
			if len(ls) > 0 {
				b.WriteString("{" + strings.Join(ls, ",") + "}")
			}
			switch {
			case m.GetCounter() != nil:
				b.WriteString(" " + trimFloat(m.GetCounter().GetValue()))
			case m.GetGauge() != nil:
				b.WriteString(" " + trimFloat(m.GetGauge().GetValue()))
			case m.GetHistogram() != nil:
				h := m.GetHistogram()
				for _, bk := range h.GetBucket() {
					b.WriteString("\n" + mf.GetName() + `_bucket{le="` + trimFloat(bk.GetUpperBound()) + `"} ` + trimFloat(float64(bk.GetCumulativeCount())))
				}
				b.WriteString("\n" + mf.GetName() + `_bucket{le="+Inf"} ` + trimFloat(float64(h.GetSampleCount())))
				b.WriteString("\n" + mf.GetName() + "_count " + trimFloat(float64(h.GetSampleCount())))
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

func trimFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
