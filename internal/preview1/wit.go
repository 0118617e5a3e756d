package preview1

import (
	"fmt"
	"strings"

	"github.com/wasmcm/wasmcm/wit"
)

// WASIVersion is the version of the WASI 0.2 interfaces the adapter imports.
// Hosts serve any 0.2.x import from their newest 0.2 release, so an older
// version reaches the most hosts; 0.2.6 is what stock Go components name.
const WASIVersion = "0.2.6"

// The adapter's world lists only the WASI functions it calls, with the types
// they need spelled exactly as WASI defines them (a component's imports may
// name fewer functions than the interface has). Each package is added on its
// own, in dependency order, because a document may only use packages that
// are already resolved.
var witPackages = []string{`
package wasi:io@V;

interface error {
  resource error {}
}

interface poll {
  resource pollable {}
  poll: func(in: list<borrow<pollable>>) -> list<u32>;
}

interface streams {
  use error.{error};
  use poll.{pollable};

  variant stream-error {
    last-operation-failed(error),
    closed,
  }

  resource input-stream {
    blocking-read: func(len: u64) -> result<list<u8>, stream-error>;
    subscribe: func() -> pollable;
  }

  resource output-stream {
    blocking-write-and-flush: func(contents: list<u8>) -> result<_, stream-error>;
    subscribe: func() -> pollable;
  }
}
`, `
package wasi:clocks@V;

interface monotonic-clock {
  use wasi:io/poll@V.{pollable};
  type instant = u64;
  type duration = u64;
  now: func() -> instant;
  resolution: func() -> duration;
  subscribe-instant: func(when: instant) -> pollable;
  subscribe-duration: func(when: duration) -> pollable;
}

interface wall-clock {
  record datetime {
    seconds: u64,
    nanoseconds: u32,
  }
  now: func() -> datetime;
  resolution: func() -> datetime;
}
`, `
package wasi:random@V;

interface random {
  get-random-bytes: func(len: u64) -> list<u8>;
}
`, `
package wasi:cli@V;

interface environment {
  get-environment: func() -> list<tuple<string, string>>;
  get-arguments: func() -> list<string>;
}

interface exit {
  exit: func(status: result);
}

interface run {
  run: func() -> result;
}

interface stdin {
  use wasi:io/streams@V.{input-stream};
  get-stdin: func() -> input-stream;
}

interface stdout {
  use wasi:io/streams@V.{output-stream};
  get-stdout: func() -> output-stream;
}

interface stderr {
  use wasi:io/streams@V.{output-stream};
  get-stderr: func() -> output-stream;
}
`, `
package wasi:filesystem@V;

interface types {
  use wasi:io/streams@V.{error};
  use wasi:clocks/wall-clock@V.{datetime};

  type filesize = u64;
  type link-count = u64;

  enum descriptor-type {
    unknown, block-device, character-device, directory, fifo, symbolic-link, regular-file, socket,
  }

  flags descriptor-flags {
    read, write, file-integrity-sync, data-integrity-sync, requested-write-sync, mutate-directory,
  }

  flags path-flags { symlink-follow }

  flags open-flags { create, directory, exclusive, truncate }

  record descriptor-stat {
    %type: descriptor-type,
    link-count: link-count,
    size: filesize,
    data-access-timestamp: option<datetime>,
    data-modification-timestamp: option<datetime>,
    status-change-timestamp: option<datetime>,
  }

  variant new-timestamp {
    no-change,
    now,
    timestamp(datetime),
  }

  record directory-entry {
    %type: descriptor-type,
    name: string,
  }

  enum error-code {
    access, would-block, already, bad-descriptor, busy, deadlock, quota, exist,
    file-too-large, illegal-byte-sequence, in-progress, interrupted, invalid, io,
    is-directory, loop, too-many-links, message-size, name-too-long, no-device,
    no-entry, no-lock, insufficient-memory, insufficient-space, not-directory,
    not-empty, not-recoverable, unsupported, no-tty, no-such-device, overflow,
    not-permitted, pipe, read-only, invalid-seek, text-file-busy, cross-device,
  }

  enum advice {
    normal, sequential, random, will-need, dont-need, no-reuse,
  }

  record metadata-hash-value {
    lower: u64,
    upper: u64,
  }

  resource descriptor {
    advise: func(offset: filesize, length: filesize, advice: advice) -> result<_, error-code>;
    sync-data: func() -> result<_, error-code>;
    get-flags: func() -> result<descriptor-flags, error-code>;
    get-type: func() -> result<descriptor-type, error-code>;
    set-size: func(size: filesize) -> result<_, error-code>;
    set-times: func(data-access-timestamp: new-timestamp, data-modification-timestamp: new-timestamp) -> result<_, error-code>;
    read: func(length: filesize, offset: filesize) -> result<tuple<list<u8>, bool>, error-code>;
    write: func(buffer: list<u8>, offset: filesize) -> result<filesize, error-code>;
    read-directory: func() -> result<directory-entry-stream, error-code>;
    sync: func() -> result<_, error-code>;
    create-directory-at: func(path: string) -> result<_, error-code>;
    stat: func() -> result<descriptor-stat, error-code>;
    stat-at: func(path-flags: path-flags, path: string) -> result<descriptor-stat, error-code>;
    set-times-at: func(path-flags: path-flags, path: string, data-access-timestamp: new-timestamp, data-modification-timestamp: new-timestamp) -> result<_, error-code>;
    link-at: func(old-path-flags: path-flags, old-path: string, new-descriptor: borrow<descriptor>, new-path: string) -> result<_, error-code>;
    open-at: func(path-flags: path-flags, path: string, open-flags: open-flags, %flags: descriptor-flags) -> result<descriptor, error-code>;
    readlink-at: func(path: string) -> result<string, error-code>;
    remove-directory-at: func(path: string) -> result<_, error-code>;
    rename-at: func(old-path: string, new-descriptor: borrow<descriptor>, new-path: string) -> result<_, error-code>;
    symlink-at: func(old-path: string, new-path: string) -> result<_, error-code>;
    unlink-file-at: func(path: string) -> result<_, error-code>;
    metadata-hash: func() -> result<metadata-hash-value, error-code>;
    metadata-hash-at: func(path-flags: path-flags, path: string) -> result<metadata-hash-value, error-code>;
  }

  resource directory-entry-stream {
    read-directory-entry: func() -> result<option<directory-entry>, error-code>;
  }

  filesystem-error-code: func(err: borrow<error>) -> option<error-code>;
}

interface preopens {
  use types.{descriptor};
  get-directories: func() -> list<tuple<descriptor, string>>;
}
`}

// worldSource is the adapter's own package: one world per flavour. Both
// import everything; a component only imports what its main module reaches.
const worldSource = `
package wasmcm:preview1-adapter;

world imports {
  import wasi:cli/environment@V;
  import wasi:cli/exit@V;
  import wasi:io/error@V;
  import wasi:io/poll@V;
  import wasi:io/streams@V;
  import wasi:cli/stdin@V;
  import wasi:cli/stdout@V;
  import wasi:cli/stderr@V;
  import wasi:clocks/monotonic-clock@V;
  import wasi:clocks/wall-clock@V;
  import wasi:filesystem/types@V;
  import wasi:filesystem/preopens@V;
  import wasi:random/random@V;
}

world reactor {
  include imports;
}

world command {
  include imports;
  export wasi:cli/run@V;
}
`

// world loads the adapter's WIT and selects the world of the flavour.
func loadWorld(f Flavor) (*wit.Resolve, wit.WorldID, error) {
	r := &wit.Resolve{}
	for i, src := range append(witPackages, worldSource) {
		src = strings.ReplaceAll(src, "@V", "@"+WASIVersion)
		if _, err := r.AddSource(fmt.Sprintf("preview1-adapter-%d.wit", i), src); err != nil {
			return nil, 0, fmt.Errorf("preview1 adapter: its own WIT does not resolve: %w", err)
		}
	}
	pkgs := []wit.PackageID{wit.PackageID(len(r.Packages) - 1)}
	name := "command"
	if f == Reactor {
		name = "reactor"
	}
	w, err := r.SelectWorld(pkgs, name)
	if err != nil {
		return nil, 0, fmt.Errorf("preview1 adapter: %w", err)
	}
	return r, w, nil
}
