package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/reeflective/readline"
	"github.com/spf13/cobra"
)

func newShellCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "shell",
		Short: "Interactive shell: every command without the gobfdctl prefix, with history and tab completion",
		Long: `shell reads commands ("session list", "monitor --current", ...) and runs them
against the same daemon and with the same global flags as the shell itself.
Tab completes commands, flags and session peers; history is kept in
$XDG_STATE_HOME/gobfdctl/history (default ~/.local/state/gobfdctl/history).
"exit", "quit" or Ctrl-D leave it. Without a terminal it reads commands
from standard input, one per line.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sh := &shell{g: *g}
			if f, ok := cmd.InOrStdin().(*os.File); ok && isTerminal(f) && isTerminal(os.Stdout) {
				return sh.interactive()
			}
			return sh.script(cmd.InOrStdin())
		},
	}
}

// shell runs command lines with the global flags it was started with.
type shell struct{ g globals }

// exec runs one command line; an error is printed, not returned. It
// reports false when the line asks to leave.
func (sh *shell) exec(line string) bool {
	words, err := splitWords(line)
	if err != nil {
		fmt.Fprintln(sh.g.errOut, "gobfdctl: "+err.Error())
		return true
	}
	if len(words) == 0 {
		return true
	}
	switch words[0] {
	case "exit", "quit":
		return false
	case "shell":
		fmt.Fprintln(sh.g.errOut, "gobfdctl: already in the shell")
		return true
	}
	g := sh.g
	root := newRoot(&g)
	root.SetArgs(words)
	// Ctrl-C ends the command (a monitor, a call that hangs), not the shell.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := root.ExecuteContext(ctx); err != nil {
		msg, _ := explain(err, &g)
		fmt.Fprintln(sh.g.errOut, "gobfdctl: "+msg)
	}
	return true
}

// script runs the lines of r.
func (sh *shell) script(r io.Reader) error {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if !sh.exec(sc.Text()) {
			return nil
		}
	}
	return sc.Err()
}

// interactive reads lines with a line editor: history, and completion of
// commands, flags and peers through cobra's completion (the same that
// bash, zsh and fish use).
func (sh *shell) interactive() error {
	rl := readline.NewShell()
	// Tab inserts what the candidates share and lists them; Tab again
	// walks the list.
	rl.Config.Set("menu-complete-display-prefix", true)
	rl.Prompt.Primary(func() string { return "gobfd> " })
	if path := historyPath(); path != "" {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err == nil {
			rl.History.AddFromFile("history", path)
		}
	}
	rl.Completer = func(line []rune, cursor int) readline.Completions {
		return readline.CompleteRaw(sh.candidates(string(line[:cursor])))
	}
	fmt.Fprintf(sh.g.out, "gobfdctl shell on %s: \"help\" lists the commands, Tab completes, \"exit\" leaves\n", sh.g.addr)
	for {
		line, err := rl.Readline()
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case errors.Is(err, readline.ErrInterrupt):
			continue
		case err != nil:
			return err
		}
		if !sh.exec(line) {
			return nil
		}
	}
}

// candidates are the completions of the last word of before for the
// line editor: each value ends with the space that separates it from the
// next word (the editor takes it back if the user types a space), unless
// cobra asks for none.
func (sh *shell) candidates(before string) []readline.Completion {
	pairs, noSpace := sh.complete(before)
	out := make([]readline.Completion, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		v := pairs[i]
		if !noSpace {
			v += " "
		}
		out = append(out, readline.Completion{Value: v, Display: pairs[i], Description: pairs[i+1]})
	}
	return out
}

// complete returns (value, description) pairs for the last word of
// before (the line up to the cursor), and whether cobra asked for no space
// after the value.
func (sh *shell) complete(before string) (pairs []string, noSpace bool) {
	words, err := splitWords(before)
	if err != nil {
		return nil, false
	}
	cur := ""
	if len(words) > 0 && !strings.HasSuffix(before, " ") {
		cur, words = words[len(words)-1], words[:len(words)-1]
	}
	var out bytes.Buffer
	g := sh.g
	g.out, g.errOut = &out, io.Discard
	root := newRoot(&g)
	root.SetArgs(append(append([]string{cobra.ShellCompRequestCmd}, words...), cur))
	root.Execute()
	for _, l := range strings.Split(out.String(), "\n") {
		if d, ok := strings.CutPrefix(l, ":"); ok {
			if n, err := strconv.Atoi(d); err == nil {
				noSpace = cobra.ShellCompDirective(n)&cobra.ShellCompDirectiveNoSpace != 0
			}
			continue
		}
		if l == "" {
			continue
		}
		v, desc, _ := strings.Cut(l, "\t")
		pairs = append(pairs, v, desc)
	}
	if len(words) == 0 {
		pairs = append(pairs, "exit", "Leave the shell")
	}
	return pairs, noSpace
}

// historyPath is where the shell keeps its history.
func historyPath() string {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "gobfdctl", "history")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "state", "gobfdctl", "history")
	}
	return ""
}

// splitWords splits a command line into words: blanks separate them,
// single and double quotes group, a backslash escapes the next character.
func splitWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord, quote, escaped := false, rune(0), false
	for _, r := range s {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped = false
		case r == '\\' && quote != '\'':
			escaped, inWord = true, true
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated %c quote", quote)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
