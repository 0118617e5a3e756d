// A test guest for the preview-1 adapter: a stock Go wasip1 command whose
// first argument picks what it does, so that one component serves every
// test. Built with GOOS=wasip1 GOARCH=wasm go build.
package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

func main() {
	cmd := "hello"
	if len(os.Args) > 1 {
		cmd = os.Args[1]
	}
	rest := os.Args[min(2, len(os.Args)):]
	switch cmd {
	case "hello":
		fmt.Println("hello from go")
	case "args":
		for _, a := range os.Args {
			fmt.Println(a)
		}
	case "env":
		env := os.Environ()
		sort.Strings(env)
		for _, e := range env {
			fmt.Println(e)
		}
	case "cat":
		n, err := io.Copy(os.Stdout, os.Stdin)
		fmt.Fprintln(os.Stderr, "copied", n, err)
	case "stderr":
		fmt.Fprintln(os.Stderr, "to stderr")
		fmt.Println("to stdout")
	case "exit":
		fmt.Print("before exit")
		code := 0
		fmt.Sscan(rest[0], &code)
		os.Exit(code)
	case "panic":
		fmt.Print("partial output")
		panic("guest panics on purpose")
	case "clocks":
		fmt.Println("wall-after-2020", time.Now().Year() > 2020)
		start := time.Now()
		time.Sleep(20 * time.Millisecond)
		fmt.Println("slept-enough", time.Since(start) >= 20*time.Millisecond)
		timer := time.NewTimer(5 * time.Millisecond)
		select {
		case <-timer.C:
			fmt.Println("timer fired")
		case <-time.After(5 * time.Second):
			fmt.Println("timer late")
		}
	case "random":
		b := make([]byte, 100000)
		if _, err := rand.Read(b); err != nil {
			fmt.Println("random error:", err)
			return
		}
		zeros := 0
		for _, c := range b {
			if c == 0 {
				zeros++
			}
		}
		fmt.Println("random ok", zeros < 1000)
	case "alloc":
		// Grow the heap far past its first arena: memory taken behind Go's
		// back would be overwritten here.
		var keep [][]byte
		sum := 0
		for i := 0; i < 256; i++ {
			b := make([]byte, 256<<10)
			for j := range b {
				b[j] = byte(i)
			}
			keep = append(keep, b)
		}
		for _, b := range keep {
			sum += int(b[len(b)-1])
		}
		fmt.Println("alloc", sum, len(keep))
		fmt.Println("still printing", os.Args[0])
	case "files":
		files(rest[0])
	default:
		fmt.Println("unknown command", cmd)
		os.Exit(2)
	}
}

func check(what string, err error) {
	if err != nil {
		fmt.Println(what, "error:", err)
		os.Exit(3)
	}
}

func files(root string) {
	p := func(name string) string { return filepath.Join(root, name) }
	check("write", os.WriteFile(p("a.txt"), []byte("hello file"), 0o644))
	b, err := os.ReadFile(p("a.txt"))
	check("read", err)
	fmt.Println("read", string(b))

	f, err := os.OpenFile(p("a.txt"), os.O_APPEND|os.O_WRONLY, 0)
	check("open append", err)
	_, err = f.WriteString(" appended")
	check("append", err)
	check("close", f.Close())
	b, err = os.ReadFile(p("a.txt"))
	check("read again", err)
	fmt.Println("read", string(b))

	f, err = os.OpenFile(p("a.txt"), os.O_RDWR, 0)
	check("open rw", err)
	off, err := f.Seek(6, io.SeekStart)
	check("seek", err)
	buf := make([]byte, 4)
	_, err = io.ReadFull(f, buf)
	check("read at 6", err)
	end, err := f.Seek(0, io.SeekEnd)
	check("seek end", err)
	_, err = f.WriteAt([]byte("HELLO"), 0)
	check("write at", err)
	check("truncate", f.Truncate(8))
	st, err := f.Stat()
	check("fstat", err)
	check("close", f.Close())
	fmt.Println("seek", off, string(buf), end, "size", st.Size())
	b, _ = os.ReadFile(p("a.txt"))
	fmt.Println("now", string(b))

	check("mkdir", os.Mkdir(p("sub"), 0o755))
	check("write sub", os.WriteFile(p("sub/c.txt"), []byte("c"), 0o644))
	check("write b", os.WriteFile(p("sub/b.txt"), []byte("bb"), 0o644))
	ents, err := os.ReadDir(p("sub"))
	check("readdir", err)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	fmt.Println("list", strings.Join(names, ","))

	// A directory with more entries than one fd_readdir buffer holds.
	check("mkdir many", os.Mkdir(p("many"), 0o755))
	for i := 0; i < 150; i++ {
		check("create", os.WriteFile(p(fmt.Sprintf("many/file-with-a-longish-name-%03d", i)), nil, 0o644))
	}
	ents, err = os.ReadDir(p("many"))
	check("readdir many", err)
	fmt.Println("many", len(ents), ents[0].Name(), ents[149].Name())
	check("remove many", os.RemoveAll(p("many")))

	fi, err := os.Stat(p("sub"))
	check("stat", err)
	fi2, err := os.Stat(p("sub/b.txt"))
	check("stat b", err)
	fmt.Println("dir", fi.IsDir(), "size b", fi2.Size(), "mtime-recent", time.Since(fi2.ModTime()) < time.Hour)

	check("rename", os.Rename(p("sub/b.txt"), p("sub/renamed.txt")))
	_, err = os.Stat(p("sub/b.txt"))
	fmt.Println("old name gone", errors.Is(err, fs.ErrNotExist))
	check("symlink", os.Symlink("renamed.txt", p("sub/link")))
	target, err := os.Readlink(p("sub/link"))
	check("readlink", err)
	lb, err := os.ReadFile(p("sub/link"))
	check("read link", err)
	fmt.Println("link", target, string(lb))
	check("chtimes", os.Chtimes(p("a.txt"), time.Unix(1e9, 0), time.Unix(1e9, 0)))
	fi, _ = os.Stat(p("a.txt"))
	fmt.Println("mtime", fi.ModTime().Unix())

	_, err = os.Open(p("missing"))
	fmt.Println("missing", errors.Is(err, fs.ErrNotExist))
	err = os.Remove(p("sub"))
	fmt.Println("remove non-empty fails", err != nil)
	check("remove all", os.RemoveAll(p("sub")))
	check("remove a", os.Remove(p("a.txt")))
	fmt.Println("done")
}
