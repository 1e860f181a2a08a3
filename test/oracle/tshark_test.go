package oracle

import (
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dantte-lp/gobfd/internal/packet"
)

type kind struct {
	name     string
	c        packet.Control
	key      string
	src, dst netip.AddrPort
}

var (
	v4a = netip.MustParseAddr("198.18.0.1")
	v4b = netip.MustParseAddr("198.18.0.2")
	v6a = netip.MustParseAddr("2001:db8::1")
	v6b = netip.MustParseAddr("2001:db8::2")
)

// kinds lists one packet of every kind: each state, each diag, each flag
// alone and combined, the detect-mult extremes, each authentication type,
// IPv4 and IPv6, single-hop (3784, RFC 5881) and multihop (4784, RFC 5883).
func kinds() []kind {
	base := func(i int) packet.Control {
		return packet.Control{State: packet.StateUp, DetectMult: 3, MyDiscr: 0x11000000 + uint32(i), YourDiscr: 0x22000000 + uint32(i),
			DesiredMinTx: 100_000 + uint32(i)*1000, RequiredMinRx: 300_000 + uint32(i), RequiredMinEchoRx: uint32(i) * 7}
	}
	sh := func(a, b netip.Addr, i int) (netip.AddrPort, netip.AddrPort) {
		return netip.AddrPortFrom(a, 49152+uint16(i)), netip.AddrPortFrom(b, 3784)
	}
	var ks []kind
	add := func(name string, c packet.Control, key string) {
		i := len(ks)
		s, d := sh(v4a, v4b, i)
		ks = append(ks, kind{name, c, key, s, d})
	}
	for st := packet.StateAdminDown; st <= packet.StateUp; st++ {
		c := base(len(ks))
		c.State = st
		add("state "+st.String(), c, "")
	}
	for d := packet.DiagNone; d <= packet.DiagReverseConcatPathDown; d++ {
		c := base(len(ks))
		c.Diag, c.State = d, packet.StateDown
		add("diag "+d.String(), c, "")
	}
	flags := []struct {
		n string
		f func(*packet.Control)
	}{
		{"P", func(c *packet.Control) { c.Poll = true }},
		{"F", func(c *packet.Control) { c.Final = true }},
		{"C", func(c *packet.Control) { c.CPI = true }},
		{"D", func(c *packet.Control) { c.Demand = true }},
		{"P+C+D", func(c *packet.Control) { c.Poll, c.CPI, c.Demand = true, true, true }},
		{"F+C+D", func(c *packet.Control) { c.Final, c.CPI, c.Demand = true, true, true }},
	}
	for _, f := range flags {
		c := base(len(ks))
		f.f(&c)
		add("flags "+f.n, c, "")
	}
	for _, m := range []uint8{1, 255} {
		c := base(len(ks))
		c.DetectMult = m
		add(fmt.Sprintf("detect mult %d", m), c, "")
	}
	auth := []struct {
		t   packet.AuthType
		key string
	}{
		{packet.AuthSimple, "x"}, {packet.AuthSimple, "sixteen-byte-pwd"},
		{packet.AuthKeyedMD5, "md5-key"}, {packet.AuthMeticulousMD5, "md5-key-16-bytes"},
		{packet.AuthKeyedSHA1, "sha1-key"}, {packet.AuthMeticulousSHA1, "sha1-key-of-20-bytes"},
	}
	for i, a := range auth {
		c := base(len(ks))
		c.AuthBit = true
		c.Auth = packet.Auth{Type: a.t, KeyID: uint8(10 + i)}
		if a.t.HasSequence() {
			c.Auth.Seq = 0xfffffff0 + uint32(i)
		}
		add(fmt.Sprintf("auth %v %d-byte key", a.t, len(a.key)), c, a.key)
	}
	// IPv6, and multihop on both families.
	c := base(len(ks))
	s, d := sh(v6a, v6b, len(ks))
	ks = append(ks, kind{"IPv6 single-hop", c, "", s, d})
	c = base(len(ks))
	s, d = sh(v4a, v4b, len(ks))
	ks = append(ks, kind{"IPv4 multihop", c, "", s, netip.AddrPortFrom(d.Addr(), 4784)})
	c = base(len(ks))
	c.AuthBit = true
	c.Auth = packet.Auth{Type: packet.AuthMeticulousSHA1, KeyID: 200, Seq: 77}
	s, d = sh(v6a, v6b, len(ks))
	ks = append(ks, kind{"IPv6 multihop meticulous SHA1", c, "k", s, netip.AddrPortFrom(d.Addr(), 4784)})
	return ks
}

var fields = []string{
	"bfd.version", "bfd.diag", "bfd.sta", "bfd.flags.p", "bfd.flags.f", "bfd.flags.c", "bfd.flags.a",
	"bfd.flags.d", "bfd.flags.m", "bfd.detect_time_multiplier", "bfd.message_length",
	"bfd.my_discriminator", "bfd.your_discriminator", "bfd.desired_min_tx_interval",
	"bfd.required_min_rx_interval", "bfd.required_min_echo_interval",
	"bfd.auth.type", "bfd.auth.len", "bfd.auth.key", "bfd.auth.password", "bfd.auth.seq_num", "bfd.checksum",
}

// TestTsharkDecodes writes every kind of packet to a pcap and checks that
// tshark decodes each as BFD with the same field values.
func TestTsharkDecodes(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark not installed: apt-get install tshark")
	}
	ks := kinds()
	file := filepath.Join(t.TempDir(), "bfd.pcap")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewPcapWriter(f)
	if err != nil {
		t.Fatal(err)
	}
	raws := make([][]byte, len(ks))
	for i := range ks {
		b := make([]byte, packet.MaxPacketLen)
		n, err := packet.Marshal(b, &ks[i].c, []byte(ks[i].key))
		if err != nil {
			t.Fatalf("%s: %v", ks[i].name, err)
		}
		raws[i] = b[:n]
		if err := w.WriteUDP(ks[i].src, ks[i].dst, b[:n]); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	args := []string{"-r", file, "-T", "fields", "-E", "separator=\t", "-E", "occurrence=f", "-e", "frame.protocols"}
	for _, fl := range fields {
		args = append(args, "-e", fl)
	}
	out, err := exec.Command(tshark, args...).Output()
	if err != nil {
		t.Fatalf("tshark: %v", err)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) != len(ks) {
		t.Fatalf("tshark printed %d frames, wrote %d", len(lines), len(ks))
	}
	for i, k := range ks {
		t.Run(k.name, func(t *testing.T) {
			got := strings.Split(lines[i], "\t")
			if !strings.HasSuffix(got[0], ":udp:bfd") {
				t.Fatalf("not decoded as BFD: %s", got[0])
			}
			checkFields(t, k, raws[i], got[1:])
		})
	}

	// Nothing malformed, no expert warning or error on any frame.
	bad, err := exec.Command(tshark, "-r", file, "-Y",
		"_ws.malformed || _ws.expert.severity >= warning || bfd.auth.len.invalid || bfd.auth.no_data").Output()
	if err != nil {
		t.Fatalf("tshark filter: %v", err)
	}
	if s := strings.TrimSpace(string(bad)); s != "" {
		t.Fatalf("tshark flags frames:\n%s", s)
	}
}

func checkFields(t *testing.T, k kind, raw []byte, got []string) {
	t.Helper()
	c := k.c
	b := func(v bool) string {
		if v {
			return "1"
		}
		return "0"
	}
	u := func(v uint32) string { return strconv.FormatUint(uint64(v), 10) }
	want := map[string]string{
		"bfd.version": "1", "bfd.diag": u(uint32(c.Diag)), "bfd.sta": u(uint32(c.State)),
		"bfd.flags.p": b(c.Poll), "bfd.flags.f": b(c.Final), "bfd.flags.c": b(c.CPI), "bfd.flags.a": b(c.AuthBit),
		"bfd.flags.d": b(c.Demand), "bfd.flags.m": "0", "bfd.detect_time_multiplier": u(uint32(c.DetectMult)),
		"bfd.message_length": u(uint32(len(raw))), "bfd.my_discriminator": u(c.MyDiscr), "bfd.your_discriminator": u(c.YourDiscr),
		"bfd.desired_min_tx_interval": u(c.DesiredMinTx), "bfd.required_min_rx_interval": u(c.RequiredMinRx),
		"bfd.required_min_echo_interval": u(c.RequiredMinEchoRx),
		"bfd.auth.type":                  "", "bfd.auth.len": "", "bfd.auth.key": "", "bfd.auth.password": "", "bfd.auth.seq_num": "", "bfd.checksum": "",
	}
	if c.AuthBit {
		want["bfd.auth.type"] = u(uint32(c.Auth.Type))
		want["bfd.auth.len"] = u(uint32(c.Auth.Len))
		want["bfd.auth.key"] = u(uint32(c.Auth.KeyID))
		if c.Auth.Type == packet.AuthSimple {
			want["bfd.auth.password"] = k.key
		} else {
			want["bfd.auth.seq_num"] = u(c.Auth.Seq)
			dl := c.Auth.Type.SectionLen() - 8
			want["bfd.checksum"] = hex.EncodeToString(c.Auth.Digest[:dl])
		}
	}
	for i, name := range fields {
		g := norm(got[i])
		if name == "bfd.checksum" {
			g = strings.ReplaceAll(g, ":", "")
		}
		if g != want[name] {
			t.Errorf("%s = %q, want %q", name, got[i], want[name])
		}
	}
}

// norm turns tshark's renderings of numbers and booleans into plain decimal.
func norm(s string) string {
	switch s {
	case "True":
		return "1"
	case "False":
		return "0"
	}
	if strings.HasPrefix(s, "0x") {
		if v, err := strconv.ParseUint(s[2:], 16, 64); err == nil {
			return strconv.FormatUint(v, 10)
		}
	}
	return s
}
