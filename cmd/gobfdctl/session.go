package main

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"connectrpc.com/connect"
	"github.com/spf13/cobra"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/dantte-lp/gobfd/pkg/bfdpb"
)

func newSessionCmd(g *globals) *cobra.Command {
	c := &cobra.Command{Use: "session", Short: "List, show, add, change and delete sessions",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErr("unknown command %q for %q", args[0], cmd.CommandPath())
			}
			return cmd.Help()
		}}
	c.AddCommand(newListCmd(g), newShowCmd(g), newAddCmd(g), newDeleteCmd(g), newSetCmd(g),
		newAdminCmd(g, "enable", "Take a session out of AdminDown (it starts over from Down)", bfdpb.AdminState_ADMIN_STATE_UP),
		newAdminCmd(g, "disable", "Put a session AdminDown: the peer sees diag 7 (RFC 5880 §6.8.16)", bfdpb.AdminState_ADMIN_STATE_DOWN))
	return c
}

// call runs f with a client and the --timeout deadline.
func (g *globals) call(cmd *cobra.Command, f func(context.Context, *conn) error) error {
	c, err := g.dial()
	if err != nil {
		return err
	}
	defer c.close()
	ctx, cancel := context.WithTimeout(cmd.Context(), g.timeout)
	defer cancel()
	return f(ctx, c)
}

// printSessions writes sessions in the chosen format.
func (g *globals) printSessions(msg interface{ GetSessions() []*bfdpb.Session }, whole any) error {
	if g.format != "table" {
		return emit(g.out, g.format, whole, false)
	}
	if len(msg.GetSessions()) == 0 {
		_, err := fmt.Fprintln(g.out, "no sessions")
		return err
	}
	return sessionTable(g.out, msg.GetSessions(), g.colors())
}

// printSession writes one session: a table row, or the message.
func (g *globals) printSession(s *bfdpb.Session) error {
	if g.format != "table" {
		return emit(g.out, g.format, s, false)
	}
	return sessionTable(g.out, []*bfdpb.Session{s}, g.colors())
}

func newListCmd(g *globals) *cobra.Command {
	var state, peer, typ string
	c := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List sessions",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			req := &bfdpb.ListSessionsRequest{Peer: peer}
			var err error
			if req.State, err = parseState(state); err != nil {
				return err
			}
			if req.Type, err = parseType(typ); err != nil {
				return err
			}
			return g.call(cmd, func(ctx context.Context, c *conn) error {
				r, err := c.ListSessions(ctx, connect.NewRequest(req))
				if err != nil {
					return err
				}
				return g.printSessions(r.Msg, r.Msg)
			})
		},
	}
	c.Flags().StringVar(&state, "state", "", "only sessions in this state: up, down, init, admin_down")
	c.Flags().StringVar(&peer, "peer", "", "only sessions with this peer address")
	c.Flags().StringVar(&typ, "type", "", "only sessions of this type: single_hop, multi_hop")
	c.RegisterFlagCompletionFunc("state", fixed("up", "down", "init", "admin_down"))
	c.RegisterFlagCompletionFunc("type", fixed("single_hop", "multi_hop"))
	c.RegisterFlagCompletionFunc("peer", g.completePeers)
	return c
}

// selectorFlags are the flags that narrow a PEER argument.
type selectorFlags struct{ local, iface, vrf, typ string }

func (s *selectorFlags) add(c *cobra.Command, g *globals) {
	c.Flags().StringVar(&s.local, "local", "", "the session's local address (when several sessions share the peer)")
	c.Flags().StringVar(&s.iface, "interface", "", "the session's interface")
	c.Flags().StringVar(&s.vrf, "vrf", "", "the session's VRF")
	c.Flags().StringVar(&s.typ, "type", "", "the session's type: single_hop, multi_hop")
	c.RegisterFlagCompletionFunc("type", fixed("single_hop", "multi_hop"))
	c.ValidArgsFunction = g.completePeerArg
}

// selector is PEER (an IP address) or DISCRIMINATOR (a number), narrowed
// by the flags.
// runE is the RunE of a command on one session: it turns the argument and
// the selector flags into a selector, then runs do.
func (s *selectorFlags) runE(do func(*cobra.Command, *bfdpb.SessionSelector) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		sel, err := s.selector(args[0])
		if err != nil {
			return err
		}
		return do(cmd, sel)
	}
}

func (s *selectorFlags) selector(arg string) (*bfdpb.SessionSelector, error) {
	if d, err := strconv.ParseUint(arg, 10, 32); err == nil {
		return &bfdpb.SessionSelector{Selector: &bfdpb.SessionSelector_LocalDiscriminator{LocalDiscriminator: uint32(d)}}, nil
	}
	if _, err := netip.ParseAddr(arg); err != nil {
		return nil, usageErr("%q is neither a peer address nor a local discriminator", arg)
	}
	t, err := parseType(s.typ)
	if err != nil {
		return nil, err
	}
	return &bfdpb.SessionSelector{Selector: &bfdpb.SessionSelector_Key{Key: &bfdpb.SessionKey{
		Peer: arg, Local: s.local, Interface: s.iface, Vrf: s.vrf, Type: t}}}, nil
}

const selectorUse = " PEER|DISCRIMINATOR"

func newShowCmd(g *globals) *cobra.Command {
	var sf selectorFlags
	c := &cobra.Command{
		Use:   "show" + selectorUse,
		Short: "Show everything about one session (RFC 5880 §6.8.1 variables, timers, counters)",
		Args:  exactArgs(1, "PEER|DISCRIMINATOR"),
		RunE: sf.runE(func(cmd *cobra.Command, sel *bfdpb.SessionSelector) error {
			return g.call(cmd, func(ctx context.Context, c *conn) error {
				r, err := c.GetSession(ctx, connect.NewRequest(&bfdpb.GetSessionRequest{Selector: sel}))
				if err != nil {
					return err
				}
				if g.format != "table" {
					return emit(g.out, g.format, r.Msg.Session, false)
				}
				return sessionDetail(g.out, r.Msg.Session, g.colors())
			})
		}),
	}
	sf.add(c, g)
	return c
}

// paramFlags are the flags of a session's parameters (add and set).
type paramFlags struct {
	tx, rx           time.Duration
	mult             uint32
	authType, secret string
	secretFile       string
	keyID            uint32
	passive, demand  bool
}

// timers returns the timer flags the command line set (nil: not set, the
// daemon's default or the session's value stays).
func (p *paramFlags) timers(cmd *cobra.Command) (tx, rx *durationpb.Duration, mult *uint32) {
	fl := cmd.Flags()
	if fl.Changed("desired-min-tx") {
		tx = durationpb.New(p.tx)
	}
	if fl.Changed("required-min-rx") {
		rx = durationpb.New(p.rx)
	}
	if fl.Changed("detect-mult") {
		mult = &p.mult
	}
	return tx, rx, mult
}

func (p *paramFlags) add(c *cobra.Command) {
	f := c.Flags()
	f.DurationVar(&p.tx, "desired-min-tx", 0, "Desired Min TX Interval while Up, 10ms..1h (default: bfd.default_desired_min_tx)")
	f.DurationVar(&p.rx, "required-min-rx", 0, "Required Min RX Interval, 10ms..1h (default: bfd.default_required_min_rx)")
	f.Uint32Var(&p.mult, "detect-mult", 0, "Detect Mult, 1..255 (default: bfd.default_detect_mult)")
	f.StringVar(&p.authType, "auth-type", "", "none, simple, keyed_md5, meticulous_keyed_md5, keyed_sha1, meticulous_keyed_sha1")
	f.Uint32Var(&p.keyID, "auth-key-id", 0, "Auth Key ID, 0..255")
	f.StringVar(&p.secretFile, "auth-secret-file", "", "file holding the secret (its first line)")
	f.StringVar(&p.secret, "auth-secret", "", "the secret (visible to other users in the process list: prefer --auth-secret-file)")
	f.BoolVar(&p.passive, "passive", false, "wait for the peer to speak first (RFC 5880 §6.1)")
	f.BoolVar(&p.demand, "demand", false, "ask the peer for Demand mode (RFC 5880 §6.6)")
	c.RegisterFlagCompletionFunc("auth-type", fixed("none", "simple", "keyed_md5", "meticulous_keyed_md5", "keyed_sha1", "meticulous_keyed_sha1"))
}

// auth is the --auth-* flags as a message (nil when --auth-type is not
// given).
func (p *paramFlags) auth(c *cobra.Command) (*bfdpb.Auth, error) {
	if !c.Flags().Changed("auth-type") {
		if c.Flags().Changed("auth-secret") || c.Flags().Changed("auth-secret-file") || c.Flags().Changed("auth-key-id") {
			return nil, usageErr("--auth-secret, --auth-secret-file and --auth-key-id need --auth-type")
		}
		return nil, nil
	}
	v, ok := bfdpb.AuthType_value["AUTH_TYPE_"+strings.ToUpper(p.authType)]
	if !ok {
		return nil, usageErr("--auth-type %q: want none, simple, keyed_md5, meticulous_keyed_md5, keyed_sha1 or meticulous_keyed_sha1", p.authType)
	}
	a := &bfdpb.Auth{Type: bfdpb.AuthType(v), KeyId: p.keyID, Secret: p.secret}
	if p.secretFile != "" {
		b, err := os.ReadFile(p.secretFile)
		if err != nil {
			return nil, usageErr("--auth-secret-file: %v", err)
		}
		a.Secret, _, _ = strings.Cut(strings.TrimRight(string(b), "\r\n"), "\n")
	}
	return a, nil
}

func newAddCmd(g *globals) *cobra.Command {
	var p paramFlags
	var local, iface, vrf, typ string
	var padded uint32
	c := &cobra.Command{
		Use:   "add PEER --local ADDRESS",
		Short: "Add a session (run-time state: not written to the configuration file)",
		Args:  exactArgs(1, "PEER"),
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := parseType(typ)
			if err != nil {
				return err
			}
			spec := &bfdpb.SessionSpec{Peer: args[0], Local: local, Interface: iface, Vrf: vrf, Type: t,
				PaddedPduSize: padded, Passive: p.passive, Demand: p.demand}
			spec.DesiredMinTx, spec.RequiredMinRx, spec.DetectMult = p.timers(cmd)
			if spec.Auth, err = p.auth(cmd); err != nil {
				return err
			}
			return g.call(cmd, func(ctx context.Context, c *conn) error {
				r, err := c.AddSession(ctx, connect.NewRequest(&bfdpb.AddSessionRequest{Session: spec}))
				if err != nil {
					return err
				}
				return g.printSession(r.Msg.Session)
			})
		},
	}
	f := c.Flags()
	f.StringVar(&local, "local", "", "the address packets are sent from (required; same family as PEER)")
	f.StringVar(&iface, "interface", "", "single hop: the interface the session runs on")
	f.StringVar(&vrf, "vrf", "", "VRF device")
	f.StringVar(&typ, "type", "single_hop", "single_hop (RFC 5881) or multi_hop (RFC 5883)")
	f.Uint32Var(&padded, "padded-pdu-size", 0, "pad packets to this size, 24..1400 (RFC 9764)")
	p.add(c)
	c.RegisterFlagCompletionFunc("type", fixed("single_hop", "multi_hop"))
	return c
}

func newDeleteCmd(g *globals) *cobra.Command {
	var sf selectorFlags
	var force bool
	c := &cobra.Command{
		Use:     "delete" + selectorUse,
		Aliases: []string{"rm"},
		Short:   "Delete a session: AdminDown first (the peer sees diag 7), gone two transmit intervals later",
		Args:    exactArgs(1, "PEER|DISCRIMINATOR"),
		RunE: sf.runE(func(cmd *cobra.Command, sel *bfdpb.SessionSelector) error {
			return g.call(cmd, func(ctx context.Context, c *conn) error {
				r, err := c.DeleteSession(ctx, connect.NewRequest(&bfdpb.DeleteSessionRequest{Selector: sel, Force: force}))
				if err != nil {
					return err
				}
				if g.format != "table" {
					return emit(g.out, g.format, r.Msg.Session, false)
				}
				s := r.Msg.Session
				_, err = fmt.Fprintf(g.out, "deleted %s session %s -> %s (discriminator %d): AdminDown sent\n",
					typeName(s.Type), orDash(s.Local), s.Peer, s.LocalDiscriminator)
				return err
			})
		}),
	}
	sf.add(c, g)
	c.Flags().BoolVar(&force, "force", false, "delete a session of the configuration file too (a reload restores it)")
	return c
}

func newSetCmd(g *globals) *cobra.Command {
	var sf selectorFlags
	var p paramFlags
	c := &cobra.Command{
		Use:   "set" + selectorUse + " [--desired-min-tx D] [--required-min-rx D] [--detect-mult N] [--auth-type T ...]",
		Short: "Change a session's timers, multiplier or authentication (timers change by Poll Sequence: no flap)",
		Args:  exactArgs(1, "PEER|DISCRIMINATOR"),
		RunE: sf.runE(func(cmd *cobra.Command, sel *bfdpb.SessionSelector) error {
			req := &bfdpb.UpdateSessionRequest{Selector: sel}
			req.DesiredMinTx, req.RequiredMinRx, req.DetectMult = p.timers(cmd)
			fl := cmd.Flags()
			if fl.Changed("passive") {
				req.Passive = &p.passive
			}
			if fl.Changed("demand") {
				req.Demand = &p.demand
			}
			var err error
			if req.Auth, err = p.auth(cmd); err != nil {
				return err
			}
			return g.call(cmd, func(ctx context.Context, c *conn) error {
				r, err := c.UpdateSession(ctx, connect.NewRequest(req))
				if err != nil {
					return err
				}
				return g.printSession(r.Msg.Session)
			})
		}),
	}
	sf.add(c, g)
	p.add(c)
	return c
}

func newAdminCmd(g *globals, name, short string, st bfdpb.AdminState) *cobra.Command {
	var sf selectorFlags
	c := &cobra.Command{
		Use:   name + selectorUse,
		Short: short,
		Args:  exactArgs(1, "PEER|DISCRIMINATOR"),
		RunE: sf.runE(func(cmd *cobra.Command, sel *bfdpb.SessionSelector) error {
			return g.call(cmd, func(ctx context.Context, c *conn) error {
				r, err := c.SetSessionAdminState(ctx, connect.NewRequest(&bfdpb.SetSessionAdminStateRequest{Selector: sel, AdminState: st}))
				if err != nil {
					return err
				}
				return g.printSession(r.Msg.Session)
			})
		}),
	}
	sf.add(c, g)
	return c
}

// exactArgs is cobra.ExactArgs with a message that names the argument.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageErr("%s: want %s (got %d arguments); see %s --help", cmd.CommandPath(), what, len(args), cmd.CommandPath())
		}
		return nil
	}
}

func parseState(s string) (bfdpb.SessionState, error) {
	if s == "" {
		return bfdpb.SessionState_SESSION_STATE_UNSPECIFIED, nil
	}
	norm := strings.ToUpper(strings.ReplaceAll(s, "-", "_"))
	if norm == "ADMINDOWN" {
		norm = "ADMIN_DOWN"
	}
	v, ok := bfdpb.SessionState_value["SESSION_STATE_"+norm]
	if !ok || v == 0 {
		return 0, usageErr("--state %q: want up, down, init or admin_down", s)
	}
	return bfdpb.SessionState(v), nil
}

func parseType(s string) (bfdpb.SessionType, error) {
	switch s {
	case "":
		return bfdpb.SessionType_SESSION_TYPE_UNSPECIFIED, nil
	case "single_hop", "single-hop":
		return bfdpb.SessionType_SESSION_TYPE_SINGLE_HOP, nil
	case "multi_hop", "multi-hop", "multihop":
		return bfdpb.SessionType_SESSION_TYPE_MULTI_HOP, nil
	}
	return 0, usageErr("--type %q: want single_hop or multi_hop", s)
}
