package host

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// The attack suite: every way a guest could name something outside its
// preopen must fail with an error-code (no host path in it) and must not
// touch the outside. The checks at the end prove nothing outside changed.

type attack struct {
	name string
	run  func(d *Descriptor) error
}

func TestAttackSuite(t *testing.T) {
	dir, d := sandbox(t, false)
	pre := filepath.Join(dir, "pre")
	secret := filepath.Join(dir, "secret.txt")
	// Links planted by the host (as if the directory came like that).
	must(t, os.Symlink("../secret.txt", filepath.Join(pre, "out")))
	must(t, os.Symlink(secret, filepath.Join(pre, "abs")))
	must(t, os.Symlink("..", filepath.Join(pre, "up")))
	must(t, os.Symlink("b", filepath.Join(pre, "a")))
	must(t, os.Symlink("sub/c", filepath.Join(pre, "b")))
	must(t, os.Symlink("../../secret.txt", filepath.Join(pre, "sub", "c")))
	must(t, os.Symlink("loop2", filepath.Join(pre, "loop1")))
	must(t, os.Symlink("loop1", filepath.Join(pre, "loop2")))

	ts := NewTimestamp{Kind: Timestamp, Time: Datetime{Seconds: 1}}
	open := func(p string) func(*Descriptor) error {
		return func(d *Descriptor) error {
			f, err := d.OpenAt(SymlinkFollow, p, 0, FlagRead)
			if err == nil {
				f.Close()
			}
			return err
		}
	}
	var attacks []attack
	for _, p := range []string{
		"..", "../", "../secret.txt", "sub/../../secret.txt", "./../pre/file.txt",
		"sub/../..", "/", "/etc/passwd", secret, "//etc/passwd",
		"out", "abs", "up", "up/secret.txt", "up/pre/file.txt", "a", "b", "sub/c",
		"loop1",
	} {
		attacks = append(attacks,
			attack{"open " + p, open(p)},
			attack{"stat-at " + p, func(d *Descriptor) error { _, err := d.StatAt(SymlinkFollow, p); return err }},
			attack{"metadata-hash-at " + p, func(d *Descriptor) error { _, err := d.MetadataHashAt(SymlinkFollow, p); return err }},
			attack{"set-times-at " + p, func(d *Descriptor) error { return d.SetTimesAt(SymlinkFollow, p, ts, ts) }},
			attack{"create-with-truncate " + p, func(d *Descriptor) error {
				f, err := d.OpenAt(SymlinkFollow, p, OpenCreate|OpenTruncate, FlagWrite)
				if err == nil {
					f.Close()
				}
				return err
			}},
		)
	}
	attacks = append(attacks,
		attack{"readlink-at of an absolute link", func(d *Descriptor) error { _, err := d.ReadlinkAt("abs"); return err }},
		attack{"readlink-at outside", func(d *Descriptor) error { _, err := d.ReadlinkAt("../pre/out"); return err }},
		attack{"mkdir outside", func(d *Descriptor) error { return d.CreateDirectoryAt("../made") }},
		attack{"mkdir through a link", func(d *Descriptor) error { return d.CreateDirectoryAt("up/made") }},
		attack{"unlink outside", func(d *Descriptor) error { return d.UnlinkFileAt("../secret.txt") }},
		attack{"unlink through a link", func(d *Descriptor) error { return d.UnlinkFileAt("up/secret.txt") }},
		attack{"rmdir the parent", func(d *Descriptor) error { return d.RemoveDirectoryAt("..") }},
		attack{"rmdir the preopen", func(d *Descriptor) error { return d.RemoveDirectoryAt("../pre") }},
		attack{"rename out", func(d *Descriptor) error { return d.RenameAt("file.txt", d, "../stolen") }},
		attack{"rename in", func(d *Descriptor) error { return d.RenameAt("../secret.txt", d, "got") }},
		attack{"rename through a link", func(d *Descriptor) error { return d.RenameAt("up/secret.txt", d, "got") }},
		attack{"hard link from outside", func(d *Descriptor) error { return d.LinkAt(0, "../secret.txt", d, "got") }},
		attack{"hard link through a link", func(d *Descriptor) error { return d.LinkAt(0, "up/secret.txt", d, "got") }},
		attack{"hard link following a link", func(d *Descriptor) error { return d.LinkAt(SymlinkFollow, "out", d, "got") }},
		attack{"hard link to outside", func(d *Descriptor) error { return d.LinkAt(0, "file.txt", d, "../planted") }},
		attack{"symlink with an absolute target", func(d *Descriptor) error { return d.SymlinkAt(secret, "evil-abs") }},
		attack{"symlink created outside", func(d *Descriptor) error { return d.SymlinkAt("x", "../evil") }},
	)
	// A guest-made link pointing out is allowed to exist, never to be used.
	must(t, d.SymlinkAt("../secret.txt", "evil"))
	must(t, d.SymlinkAt("../../secret.txt", "sub/evil2"))
	for _, p := range []string{"evil", "sub/evil2"} {
		attacks = append(attacks, attack{"open guest link " + p, open(p)})
	}
	// The link itself may be hard-linked (it stays a link), but never followed.
	must(t, d.LinkAt(0, "evil", d, "evil-hard"))
	attacks = append(attacks, attack{"open hard link of a link", open("evil-hard")})
	// A subdirectory descriptor is its own sandbox: its ".." is outside.
	sub, err := d.OpenAt(0, "sub", OpenDirectory, FlagRead|FlagMutateDirectory)
	must(t, err)
	defer sub.Close()
	attacks = append(attacks,
		attack{"sub: open ..", func(*Descriptor) error { return open("..")(sub) }},
		attack{"sub: open ../file.txt", func(*Descriptor) error { return open("../file.txt")(sub) }},
		attack{"sub: open c", func(*Descriptor) error { return open("c")(sub) }},
		attack{"sub: rename out", func(*Descriptor) error { return sub.RenameAt("c", sub, "../c2") }},
		attack{"sub: rename to parent via other", func(*Descriptor) error { return sub.RenameAt("..", d, "x") }},
	)

	allowed := map[ErrorCode]bool{ErrNotPermitted: true, ErrLoop: true, ErrInvalid: true, ErrNoEntry: true, ErrNotDirectory: true, ErrExist: true, ErrBusy: true}
	for _, a := range attacks {
		err := a.run(d)
		if err == nil {
			t.Errorf("%s: succeeded", a.name)
			continue
		}
		var c ErrorCode
		if !errors.As(err, &c) {
			t.Errorf("%s: %v is not an error-code", a.name, err)
			continue
		}
		if strings.Contains(err.Error(), dir) {
			t.Errorf("%s: the error shows the host path: %v", a.name, err)
		}
		if !allowed[c] {
			t.Errorf("%s: %v", a.name, c)
		}
	}
	t.Logf("%d attacks, 0 escapes", len(attacks))

	// Nothing outside changed.
	if b, err := os.ReadFile(secret); err != nil || string(b) != "SECRET" {
		t.Fatalf("secret changed: %q %v", b, err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 2 {
		t.Fatalf("something was made outside the preopen: %v", ents)
	}
	if fi, _ := os.Stat(secret); fi.ModTime().Unix() == 1 {
		t.Fatal("the secret's times were set")
	}
}

// TestAttackRace flips a name between a file inside and links to the
// outside while the guest side opens and reads through it: what is read
// must never be the outside file.
func TestAttackRace(t *testing.T) {
	dir, d := sandbox(t, false)
	pre := filepath.Join(dir, "pre")
	race := filepath.Join(pre, "race")
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tmp := filepath.Join(pre, "race.tmp")
		targets := []string{"", "../secret.txt", "..", "sub/../../secret.txt"}
		for i := 0; !stop.Load(); i++ {
			os.Remove(tmp)
			if tgt := targets[i%len(targets)]; tgt == "" {
				os.WriteFile(tmp, []byte("inside"), 0o644)
			} else {
				os.Symlink(tgt, tmp)
			}
			os.Rename(tmp, race)
		}
	}()
	var reads, refusals int
	for i := 0; i < 3000; i++ {
		for _, p := range []string{"race", "race/secret.txt"} {
			f, err := d.OpenAt(SymlinkFollow, p, 0, FlagRead)
			if err != nil {
				refusals++
				continue
			}
			b, _, err := f.Read(100, 0)
			f.Close()
			if err == nil {
				reads++
			}
			if strings.Contains(string(b), "SECRET") {
				stop.Store(true)
				wg.Wait()
				t.Fatalf("read the outside file through %q", p)
			}
		}
	}
	stop.Store(true)
	wg.Wait()
	t.Logf("%d reads inside, %d refusals, 0 escapes", reads, refusals)
}
