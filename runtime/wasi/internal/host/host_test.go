package host

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPollTimersAndEmpty(t *testing.T) {
	ctx := context.Background()
	if _, err := Poll(ctx, nil); !errors.Is(err, ErrEmptyPoll) {
		t.Fatalf("empty poll: %v", err)
	}
	start := time.Now()
	far := Timer{Deadline: start.Add(time.Hour)}
	near := Timer{Deadline: start.Add(20 * time.Millisecond)}
	got, err := Poll(ctx, []Pollable{far, near, near})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Fatalf("ready = %v, want [1 2]", got)
	}
	if d := time.Since(start); d < 20*time.Millisecond {
		t.Fatalf("poll returned after %v, before the timer", d)
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	if _, err := Poll(cctx, []Pollable{far}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("cancelled poll: %v", err)
	}
	if err := Block(cctx, far); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("cancelled block: %v", err)
	}
}

func TestAsyncReaderPollsAndReads(t *testing.T) {
	pr, pw := io.Pipe()
	s := NewReaderStream(pr)
	b, err := s.Read(10)
	if err != nil || len(b) != 0 {
		t.Fatalf("read of an idle pipe: %q %v", b, err)
	}
	p := s.Subscribe()
	if p.Ready() {
		t.Fatal("pollable ready before any data")
	}
	go func() { pw.Write([]byte("hello")); pw.Close() }()
	if _, err := Poll(context.Background(), []Pollable{p}); err != nil {
		t.Fatal(err)
	}
	b, err = s.BlockingRead(context.Background(), 3)
	if err != nil || string(b) != "hel" {
		t.Fatalf("blocking read: %q %v", b, err)
	}
	b, err = s.BlockingRead(context.Background(), 100)
	if err != nil || string(b) != "lo" {
		t.Fatalf("rest: %q %v", b, err)
	}
	if _, err := s.BlockingRead(context.Background(), 100); !errors.Is(err, ErrClosed) {
		t.Fatalf("after EOF: %v", err)
	}
	if _, err := s.Read(1); !errors.Is(err, ErrClosed) {
		t.Fatalf("read after EOF again: %v", err)
	}
}

func TestSyncReaderHugeLength(t *testing.T) {
	s := NewReaderStream(strings.NewReader("abc"))
	b, err := s.Read(1 << 62) // must not allocate by the guest's number
	if err != nil || string(b) != "abc" {
		t.Fatalf("%q %v", b, err)
	}
	if n, err := Skip(s, 5); n != 0 || !errors.Is(err, ErrClosed) {
		t.Fatalf("skip past EOF: %d %v", n, err)
	}
	if _, err := NewReaderStream(nil).Read(1); !errors.Is(err, ErrClosed) {
		t.Fatalf("nil reader: %v", err)
	}
}

type failWriter struct{ n int }

func (w *failWriter) Write(b []byte) (int, error) {
	if w.n == 0 {
		return 0, errors.New("disk on fire")
	}
	w.n--
	return len(b), nil
}

func TestWriterStream(t *testing.T) {
	var buf bytes.Buffer
	s := NewWriterStream(&buf)
	ctx := context.Background()
	if err := BlockingWriteAndFlush(ctx, s, []byte("hi ")); err != nil {
		t.Fatal(err)
	}
	if err := BlockingWriteAndFlush(ctx, s, make([]byte, 4097)); !errors.As(err, new(*TrapError)) {
		t.Fatalf("4097-byte blocking write: %v, want a trap", err)
	}
	if err := s.Write(make([]byte, WritePermit+1)); !errors.As(err, new(*TrapError)) {
		t.Fatalf("write above the permit: %v, want a trap", err)
	}
	if err := BlockingWriteZeroesAndFlush(ctx, s, 2); err != nil {
		t.Fatal(err)
	}
	src := NewReaderStream(strings.NewReader("spliced"))
	if n, err := Splice(s, src, 100); n != 7 || err != nil {
		t.Fatalf("splice: %d %v", n, err)
	}
	if n, err := BlockingSplice(ctx, s, src, 100); n != 0 || !errors.Is(err, ErrClosed) {
		t.Fatalf("splice at EOF: %d %v", n, err)
	}
	if got := buf.String(); got != "hi \x00\x00spliced" {
		t.Fatalf("output %q", got)
	}

	f := NewWriterStream(&failWriter{n: 1})
	if err := f.Write([]byte("a")); err != nil {
		t.Fatal(err)
	}
	var se *StreamError
	if err := f.Write([]byte("b")); !errors.As(err, &se) || se.Err.Error() != "disk on fire" {
		t.Fatalf("failed write: %v", err)
	}
	if _, err := f.CheckWrite(); !errors.Is(err, ErrClosed) {
		t.Fatalf("check-write after failure: %v", err)
	}
	if err := f.Write([]byte("c")); !errors.Is(err, ErrClosed) {
		t.Fatalf("write after failure: %v", err)
	}
}

// sandbox makes dir/{pre/{file.txt,sub/},secret.txt} and opens pre as a
// preopen.
func sandbox(t *testing.T, readOnly bool) (string, *Descriptor) {
	t.Helper()
	dir := t.TempDir()
	pre := filepath.Join(dir, "pre")
	must(t, os.MkdirAll(filepath.Join(pre, "sub"), 0o755))
	must(t, os.WriteFile(filepath.Join(pre, "file.txt"), []byte("inside"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "secret.txt"), []byte("SECRET"), 0o644))
	d, err := NewFS().OpenPreopen(pre, readOnly)
	must(t, err)
	t.Cleanup(func() { d.Close() })
	return dir, d
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantCode(t *testing.T, what string, err error, want ...ErrorCode) {
	t.Helper()
	var c ErrorCode
	if !errors.As(err, &c) {
		t.Fatalf("%s: %v, want an error-code", what, err)
	}
	for _, w := range want {
		if c == w {
			return
		}
	}
	t.Fatalf("%s: %v, want %v", what, c, want)
}

func TestDescriptorFileOps(t *testing.T) {
	_, d := sandbox(t, false)
	f, err := d.OpenAt(SymlinkFollow, "new.txt", OpenCreate|OpenExclusive, FlagRead|FlagWrite)
	must(t, err)
	defer f.Close()
	if n, err := f.Write([]byte("hello world"), 0); n != 11 || err != nil {
		t.Fatalf("write: %d %v", n, err)
	}
	b, eof, err := f.Read(5, 6)
	if string(b) != "world" || err != nil {
		t.Fatalf("read: %q %v %v", b, eof, err)
	}
	b, eof, err = f.Read(100, 6)
	if string(b) != "world" || !eof || err != nil {
		t.Fatalf("read to end: %q %v %v", b, eof, err)
	}
	b, eof, err = f.Read(1<<60, 1000)
	if len(b) != 0 || !eof || err != nil {
		t.Fatalf("read past EOF: %q %v %v", b, eof, err)
	}
	_, _, err = f.Read(1, 1<<63)
	wantCode(t, "read at a huge offset", err, ErrInvalid)
	_, err = d.OpenAt(SymlinkFollow, "new.txt", OpenCreate|OpenExclusive, FlagRead)
	wantCode(t, "exclusive create of an existing file", err, ErrExist)
	st, err := f.Stat()
	must(t, err)
	if st.Type != TypeRegularFile || st.Size != 11 || st.LinkCount != 1 || st.ModificationTimestamp == nil {
		t.Fatalf("stat %+v", st)
	}
	must(t, f.SetTimes(NewTimestamp{Kind: Timestamp, Time: Datetime{Seconds: 1000, Nanoseconds: 5}}, NewTimestamp{Kind: Timestamp, Time: Datetime{Seconds: 2000}}))
	st, _ = f.Stat()
	if st.ModificationTimestamp.Seconds != 2000 || st.AccessTimestamp.Seconds != 1000 {
		t.Fatalf("times not set: %+v %+v", st.AccessTimestamp, st.ModificationTimestamp)
	}
	err = f.SetTimes(NewTimestamp{Kind: Timestamp, Time: Datetime{Seconds: 1 << 63}}, NewTimestamp{})
	wantCode(t, "a timestamp past int64", err, ErrInvalid)
	must(t, f.SetSize(3))
	h1, _ := f.MetadataHash()
	h2, err := d.MetadataHashAt(0, "new.txt")
	must(t, err)
	if h1 != h2 {
		t.Fatal("metadata-hash and metadata-hash-at differ for one file")
	}
	f.Write([]byte("more"), 3)
	if h3, _ := f.MetadataHash(); h3 == h1 {
		t.Fatal("metadata-hash did not change with the size")
	}

	// Streams over the file.
	out, err := f.AppendViaStream()
	must(t, err)
	must(t, out.Write([]byte("++")))
	in, err := f.ReadViaStream(0)
	must(t, err)
	b, err = in.BlockingRead(context.Background(), 100)
	if string(b) != "helmore++" || err != nil {
		t.Fatalf("stream read: %q %v", b, err)
	}
	if _, err := in.Read(1); !errors.Is(err, ErrClosed) {
		t.Fatalf("stream past EOF: %v", err)
	}

	// Flags are enforced.
	ro, err := d.OpenAt(SymlinkFollow, "file.txt", 0, FlagRead)
	must(t, err)
	defer ro.Close()
	_, err = ro.Write([]byte("x"), 0)
	wantCode(t, "write to a read-only descriptor", err, ErrBadDescriptor)
	_, err = ro.WriteViaStream(0)
	wantCode(t, "write stream of a read-only descriptor", err, ErrBadDescriptor)
	_, err = ro.OpenAt(0, "x", 0, 0)
	wantCode(t, "open-at on a file", err, ErrNotDirectory)
	_, _, err = d.Read(1, 0)
	wantCode(t, "read of a directory", err, ErrIsDirectory)
}

func TestDescriptorDirectoryOps(t *testing.T) {
	_, d := sandbox(t, false)
	must(t, d.CreateDirectoryAt("made"))
	wantCode(t, "mkdir twice", d.CreateDirectoryAt("made"), ErrExist)
	must(t, d.SymlinkAt("file.txt", "made/../link"))
	target, err := d.ReadlinkAt("link")
	if target != "file.txt" || err != nil {
		t.Fatalf("readlink: %q %v", target, err)
	}
	st, err := d.StatAt(0, "link")
	must(t, err)
	if st.Type != TypeSymbolicLink {
		t.Fatalf("stat-at nofollow of a link: %v", st.Type)
	}
	st, err = d.StatAt(SymlinkFollow, "link")
	must(t, err)
	if st.Type != TypeRegularFile || st.Size != 6 {
		t.Fatalf("stat-at follow: %+v", st)
	}
	_, err = d.OpenAt(0, "link", 0, FlagRead)
	wantCode(t, "open-at nofollow of a link", err, ErrLoop)
	must(t, d.SetTimesAt(0, "link", NewTimestamp{Kind: Now}, NewTimestamp{Kind: NoChange}))

	sub, err := d.OpenAt(0, "sub", OpenDirectory, FlagRead|FlagMutateDirectory)
	must(t, err)
	defer sub.Close()
	if sub.GetType() != TypeDirectory || !sub.IsSameObject(sub) || sub.IsSameObject(d) {
		t.Fatal("sub is not a separate directory")
	}
	// Hard link and rename across two directory descriptors.
	must(t, d.LinkAt(0, "file.txt", sub, "hard.txt"))
	must(t, sub.RenameAt("hard.txt", d, "moved.txt"))
	wantCode(t, "link over an existing name", d.LinkAt(0, "file.txt", sub, "../file.txt"), ErrNotPermitted)
	b, _, err := mustOpen(t, d, "moved.txt").Read(100, 0)
	if string(b) != "inside" || err != nil {
		t.Fatalf("moved: %q %v", b, err)
	}
	wantCode(t, "link a directory", d.LinkAt(0, "sub", d, "sub2"), ErrNotPermitted)
	wantCode(t, "unlink a directory", d.UnlinkFileAt("sub"), ErrIsDirectory)
	wantCode(t, "rmdir a file", d.RemoveDirectoryAt("file.txt"), ErrNotDirectory)
	must(t, sub.CreateDirectoryAt("x"))
	wantCode(t, "rmdir a non-empty directory", d.RemoveDirectoryAt("sub"), ErrNotEmpty)

	s, err := d.ReadDirectory()
	must(t, err)
	var names []string
	for {
		e, err := s.ReadDirectoryEntry()
		must(t, err)
		if e == nil {
			break
		}
		names = append(names, e.Name)
	}
	s.Close()
	got := strings.Join(sortStrings(names), ",")
	if got != "file.txt,link,made,moved.txt,sub" {
		t.Fatalf("entries %s", got)
	}
	must(t, d.UnlinkFileAt("moved.txt"))
	wantCode(t, "unlink twice", d.UnlinkFileAt("moved.txt"), ErrNoEntry)
	wantCode(t, "empty path", d.UnlinkFileAt(""), ErrNoEntry)
}

func mustOpen(t *testing.T, d *Descriptor, path string) *Descriptor {
	t.Helper()
	f, err := d.OpenAt(SymlinkFollow, path, 0, FlagRead)
	must(t, err)
	t.Cleanup(func() { f.Close() })
	return f
}

func sortStrings(s []string) []string {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s
}

func TestReadOnlyPreopen(t *testing.T) {
	_, d := sandbox(t, true)
	_, err := d.OpenAt(0, "file.txt", 0, FlagRead|FlagWrite)
	wantCode(t, "write open under a read-only preopen", err, ErrReadOnly)
	_, err = d.OpenAt(0, "new", OpenCreate, FlagRead)
	wantCode(t, "create under a read-only preopen", err, ErrReadOnly)
	_, err = d.OpenAt(0, "sub", 0, FlagRead|FlagMutateDirectory)
	wantCode(t, "mutate-directory under a read-only preopen", err, ErrReadOnly)
	wantCode(t, "mkdir", d.CreateDirectoryAt("x"), ErrReadOnly)
	wantCode(t, "unlink", d.UnlinkFileAt("file.txt"), ErrReadOnly)
	wantCode(t, "symlink", d.SymlinkAt("file.txt", "l"), ErrReadOnly)
	wantCode(t, "rename", d.RenameAt("file.txt", d, "g"), ErrReadOnly)
	f := mustOpen(t, d, "file.txt")
	b, _, err := f.Read(10, 0)
	if string(b) != "inside" || err != nil {
		t.Fatalf("read: %q %v", b, err)
	}
}
