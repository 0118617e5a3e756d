package wasi_test

import (
	"bytes"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/wasmcm/wasmcm/runtime/wasi"
)

// TestSameAsJcoRun runs the Rust guest under this host and under `jco run`
// (the reference's Node host) and compares what a user sees: stdout, exit
// code, and stderr where no trap message (which differs by engine) is in it.
func TestSameAsJcoRun(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short: jco run takes seconds per case")
	}
	g := rustGuest(t)
	jco := jcoPath(t)
	cases := []struct {
		args        []string
		stdin       string
		traps       bool
		cmpArgv0    bool
		wantNonzero bool
	}{
		{args: []string{"hello"}},
		{args: []string{"args", "x y", "z"}},
		{args: []string{"stderr"}},
		{args: []string{"cat"}, stdin: strings.Repeat("some input\n", 3000)},
		{args: []string{"exit", "7"}, wantNonzero: true},
		{args: []string{"panic"}, traps: true, wantNonzero: true},
	}
	for _, c := range cases {
		t.Run(c.args[0], func(t *testing.T) {
			cmd := exec.Command(jco, append([]string{"run", g.component}, c.args...)...)
			cmd.Stdin = strings.NewReader(c.stdin)
			var jout, jerr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &jout, &jerr
			jcode := 0
			if err := cmd.Run(); err != nil {
				var ee *exec.ExitError
				if !errors.As(err, &ee) {
					t.Fatalf("jco run: %v", err)
				}
				jcode = ee.ExitCode()
			}
			// jco names argv[0] after the file; use the same here.
			argv0 := strings.TrimSuffix(g.component[strings.LastIndexByte(g.component, '/')+1:], ".wasm")
			r := run(t, g.component, wasi.Config{Args: append([]string{argv0}, c.args...), Stdin: strings.NewReader(c.stdin)})
			if c.traps != (r.err != nil) {
				t.Errorf("trap: %v, want a trap: %v", r.err, c.traps)
			}
			if r.stdout != jout.String() {
				t.Errorf("stdout differs:\n ours %q\n jco  %q", trunc(r.stdout), trunc(jout.String()))
			}
			if r.code != jcode {
				t.Errorf("exit code %d, jco run's %d", r.code, jcode)
			}
			if !c.traps && r.stderr != jerr.String() {
				t.Errorf("stderr differs:\n ours %q\n jco  %q", r.stderr, jerr.String())
			}
			if c.traps && !strings.HasPrefix(jerr.String(), firstLine(r.stderr)) {
				t.Errorf("the guest's own stderr differs:\n ours %q\n jco  %q", r.stderr, trunc(jerr.String()))
			}
		})
	}
}

func trunc(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
