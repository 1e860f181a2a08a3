package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/sys/unix"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
	"gopkg.in/yaml.v3"

	"github.com/dantte-lp/gobfd/pkg/bfdpb"
)

// Machine output is the API's messages in protobuf's JSON mapping with
// the .proto field names (snake_case, as in the configuration file), every
// field present (zero values included) and keys sorted: stable for
// scripts. YAML is the same tree.

// tree turns a message into plain values (maps, slices, strings,
// json.Number, bools).
func tree(m proto.Message) (any, error) {
	b, err := protojson.MarshalOptions{UseProtoNames: true, EmitUnpopulated: true}.Marshal(m)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return numbers(v, m.ProtoReflect().Descriptor()), nil
}

// numbers turns the 64-bit integers that protobuf's JSON mapping writes as
// strings ("packets_in": "393") back into numbers, so that scripts (jq)
// and YAML see counters as numbers.
func numbers(v any, md protoreflect.MessageDescriptor) any {
	obj, ok := v.(map[string]any)
	if !ok || strings.HasPrefix(string(md.FullName()), "google.protobuf.") {
		return v
	}
	fields := md.Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		x, ok := obj[string(fd.Name())]
		if !ok {
			continue
		}
		switch {
		case fd.IsMap():
			if m, ok := x.(map[string]any); ok {
				for k, e := range m {
					m[k] = scalar(e, fd.MapValue())
				}
			}
		case fd.IsList():
			if l, ok := x.([]any); ok {
				for j, e := range l {
					l[j] = scalar(e, fd)
				}
			}
		default:
			obj[string(fd.Name())] = scalar(x, fd)
		}
	}
	return obj
}

func scalar(v any, fd protoreflect.FieldDescriptor) any {
	switch fd.Kind() {
	case protoreflect.MessageKind:
		return numbers(v, fd.Message())
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind,
		protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		if s, ok := v.(string); ok {
			return json.Number(s)
		}
	}
	return v
}

// emit writes v (a message, or a map/slice of trees) as JSON (indented,
// or compact with oneLine) or as a YAML document.
func emit(w io.Writer, format string, v any, oneLine bool) error {
	if m, ok := v.(proto.Message); ok {
		t, err := tree(m)
		if err != nil {
			return err
		}
		v = t
	}
	switch format {
	case "json":
		var b []byte
		var err error
		if oneLine {
			b, err = json.Marshal(v)
		} else {
			b, err = json.MarshalIndent(v, "", "  ")
		}
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	case "yaml":
		b, err := yaml.Marshal(yamlValues(v))
		if err != nil {
			return err
		}
		if oneLine {
			io.WriteString(w, "---\n")
		}
		_, err = w.Write(b)
		return err
	}
	return fmt.Errorf("format %q has no machine form", format)
}

// yamlValues turns json.Numbers into numbers, so YAML does not quote them.
func yamlValues(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = yamlValues(e)
		}
	case []any:
		for i, e := range x {
			x[i] = yamlValues(e)
		}
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		if f, err := x.Float64(); err == nil {
			return f
		}
	}
	return v
}

// isTerminal reports whether f is a terminal.
func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// colors reports whether tables get state colours.
func (g *globals) colors() bool {
	switch g.color {
	case "always":
		return true
	case "never":
		return false
	}
	f, ok := g.out.(*os.File)
	return ok && os.Getenv("NO_COLOR") == "" && isTerminal(f)
}

// stateText is a state's short name, coloured when c: Up green, Down red,
// Init yellow, AdminDown grey. Every colour code has the same length, so
// columns stay aligned.
func stateText(s bfdpb.SessionState, c bool) string {
	name := stateName(s)
	if !c {
		return name
	}
	code := map[bfdpb.SessionState]string{
		bfdpb.SessionState_SESSION_STATE_UP:         "\x1b[32m",
		bfdpb.SessionState_SESSION_STATE_DOWN:       "\x1b[31m",
		bfdpb.SessionState_SESSION_STATE_INIT:       "\x1b[33m",
		bfdpb.SessionState_SESSION_STATE_ADMIN_DOWN: "\x1b[90m",
	}[s]
	if code == "" {
		code = "\x1b[39m"
	}
	return code + name + "\x1b[0m"
}

func stateName(s bfdpb.SessionState) string {
	switch s {
	case bfdpb.SessionState_SESSION_STATE_UP:
		return "Up"
	case bfdpb.SessionState_SESSION_STATE_DOWN:
		return "Down"
	case bfdpb.SessionState_SESSION_STATE_INIT:
		return "Init"
	case bfdpb.SessionState_SESSION_STATE_ADMIN_DOWN:
		return "AdminDown"
	}
	return "-"
}

// diagName is a diagnostic in RFC 5880 words without the enum prefix
// ("ControlDetectionTimeExpired").
func diagName(d bfdpb.Diagnostic) string {
	s := strings.TrimPrefix(d.String(), "DIAGNOSTIC_")
	var b strings.Builder
	for _, w := range strings.Split(strings.ToLower(s), "_") {
		if w != "" {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	return b.String()
}

func typeName(t bfdpb.SessionType) string {
	if t == bfdpb.SessionType_SESSION_TYPE_MULTI_HOP {
		return "multi_hop"
	}
	return "single_hop"
}

func authName(a bfdpb.AuthType) string {
	return strings.ToLower(strings.TrimPrefix(a.String(), "AUTH_TYPE_"))
}

func ownerName(o bfdpb.Owner) string {
	return strings.ToLower(strings.TrimPrefix(o.String(), "OWNER_"))
}

// durText prints a duration briefly ("50ms", "1h2m3s"); "-" for zero.
func durText(d *durationpb.Duration) string {
	v := d.AsDuration()
	switch {
	case d == nil || v == 0:
		return "-"
	case v >= time.Second:
		return v.Round(time.Second).String()
	}
	return v.String()
}

func timeText(t *timestamppb.Timestamp) string {
	if t == nil {
		return "-"
	}
	return t.AsTime().Local().Format("2006-01-02 15:04:05.000")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// sessionTable writes sessions as an aligned table.
func sessionTable(w io.Writer, ss []*bfdpb.Session, color bool) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	state := "STATE"
	if color {
		// As long as the coloured cells below (tabwriter counts bytes).
		state = "\x1b[39mSTATE\x1b[0m"
	}
	fmt.Fprintf(tw, "PEER\tLOCAL\tINTERFACE\tTYPE\t%s\tDIAG\tLOCAL DISCR\tREMOTE DISCR\tTX\tDETECT\tUPTIME\tOWNER\n", state)
	for _, s := range ss {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\n",
			s.Peer, orDash(s.Local), orDash(s.Interface), typeName(s.Type), stateText(s.State, color),
			diagName(s.LocalDiag), s.LocalDiscriminator, s.RemoteDiscriminator, durText(s.TxInterval),
			durText(s.DetectionTime), durText(s.Uptime), ownerName(s.Owner))
	}
	return tw.Flush()
}

// sessionDetail writes one session as labelled lines.
func sessionDetail(w io.Writer, s *bfdpb.Session, color bool) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k string, v any) { fmt.Fprintf(tw, "%s\t%v\n", k, v) }
	p, v, r, c := s.Params, s.Variables, s.Remote, s.Counters
	row("Peer", s.Peer)
	row("Local", orDash(s.Local))
	row("Interface", orDash(s.Interface))
	row("VRF", orDash(s.Vrf))
	row("Type", typeName(s.Type))
	row("Owner", ownerName(s.Owner))
	row("State", stateText(s.State, color))
	row("Local diag", diagName(s.LocalDiag))
	row("Last change", timeText(s.LastStateChange)+" ("+diagName(s.LastChangeDiag)+")")
	row("Up since", timeText(s.UpSince))
	row("Uptime", durText(s.Uptime))
	row("Discriminators", fmt.Sprintf("local %d, remote %d", s.LocalDiscriminator, s.RemoteDiscriminator))
	row("Source port", s.SourcePort)
	row("TX interval", durText(s.TxInterval)+" (negotiated)")
	row("Detection time", durText(s.DetectionTime))
	row("Configured", fmt.Sprintf("desired_min_tx %s, required_min_rx %s, detect_mult %d, passive %v, demand %v, padded_pdu_size %d, auth %s (key %d)",
		durText(p.DesiredMinTx), durText(p.RequiredMinRx), p.DetectMult, p.Passive, p.Demand, p.PaddedPduSize,
		authName(p.AuthType), p.AuthKeyId))
	row("RFC 5880 §6.8.1", "")
	row("  SessionState", stateName(v.SessionState))
	row("  RemoteSessionState", stateName(v.RemoteSessionState))
	row("  LocalDiscr", v.LocalDiscr)
	row("  RemoteDiscr", v.RemoteDiscr)
	row("  LocalDiag", diagName(v.LocalDiag))
	row("  DesiredMinTxInterval", durText(v.DesiredMinTxInterval))
	row("  RequiredMinRxInterval", durText(v.RequiredMinRxInterval))
	row("  RemoteMinRxInterval", durText(v.RemoteMinRxInterval))
	row("  DemandMode", v.DemandMode)
	row("  RemoteDemandMode", v.RemoteDemandMode)
	row("  DetectMult", v.DetectMult)
	row("  AuthType", authName(v.AuthType))
	row("  RcvAuthSeq", v.RcvAuthSeq)
	row("  XmitAuthSeq", v.XmitAuthSeq)
	row("  AuthSeqKnown", v.AuthSeqKnown)
	row("Remote", fmt.Sprintf("desired_min_tx %s, detect_mult %d, min_echo_rx %s, diag %s, cpi %v",
		durText(r.DesiredMinTxInterval), r.DetectMult, durText(r.RequiredMinEchoRxInterval), diagName(r.Diag),
		r.ControlPlaneIndependent))
	row("Poll / echo active", fmt.Sprintf("%v / %v", s.PollActive, s.EchoActive))
	row("Packets in / out", fmt.Sprintf("%d / %d", c.PacketsIn, c.PacketsOut))
	row("Echo in / out", fmt.Sprintf("%d / %d", c.EchoIn, c.EchoOut))
	drops := fmt.Sprint(c.Drops)
	if len(c.DropsByReason) > 0 {
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(c.DropsByReason)) {
			parts = append(parts, fmt.Sprintf("%s %d", k, c.DropsByReason[k]))
		}
		drops += " (" + strings.Join(parts, ", ") + ")"
	}
	row("Drops", drops)
	row("Auth failures", c.AuthFailures)
	row("Up / down transitions", fmt.Sprintf("%d / %d", c.UpTransitions, c.DownTransitions))
	return tw.Flush()
}
