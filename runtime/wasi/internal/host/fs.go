package host

import (
	"context"
	"hash/maphash"
	"io"
	"io/fs"
	"math"
	"os"
	"strings"
	"sync"
	"time"
)

// DescriptorType is wasi:filesystem/types.descriptor-type.
type DescriptorType uint8

// The cases of descriptor-type, in the WIT's order.
const (
	TypeUnknown DescriptorType = iota
	TypeBlockDevice
	TypeCharacterDevice
	TypeDirectory
	TypeFIFO
	TypeSymbolicLink
	TypeRegularFile
	TypeSocket
)

// DescriptorFlags is wasi:filesystem/types.descriptor-flags.
type DescriptorFlags uint32

// The flags of descriptor-flags, bit i for the i-th label.
const (
	FlagRead DescriptorFlags = 1 << iota
	FlagWrite
	FlagFileIntegritySync
	FlagDataIntegritySync
	FlagRequestedWriteSync
	FlagMutateDirectory
)

// PathFlags is wasi:filesystem/types.path-flags.
type PathFlags uint32

// SymlinkFollow is path-flags.symlink-follow.
const SymlinkFollow PathFlags = 1

// OpenFlags is wasi:filesystem/types.open-flags.
type OpenFlags uint32

// The flags of open-flags.
const (
	OpenCreate OpenFlags = 1 << iota
	OpenDirectory
	OpenExclusive
	OpenTruncate
)

// Datetime is wasi:clocks/wall-clock.datetime.
type Datetime struct {
	Seconds     uint64
	Nanoseconds uint32
}

// DatetimeOf converts a time; times before the epoch (which a datetime
// cannot hold) become nil.
func DatetimeOf(t time.Time) *Datetime {
	if t.IsZero() || t.Unix() < 0 {
		return nil
	}
	return &Datetime{Seconds: uint64(t.Unix()), Nanoseconds: uint32(t.Nanosecond())}
}

// Stat is wasi:filesystem/types.descriptor-stat.
type Stat struct {
	Type                  DescriptorType
	LinkCount             uint64
	Size                  uint64
	AccessTimestamp       *Datetime
	ModificationTimestamp *Datetime
	StatusChangeTimestamp *Datetime
}

// NewTimestampKind is the case of new-timestamp.
type NewTimestampKind uint8

// The cases of new-timestamp.
const (
	NoChange NewTimestampKind = iota
	Now
	Timestamp
)

// NewTimestamp is wasi:filesystem/types.new-timestamp.
type NewTimestamp struct {
	Kind NewTimestampKind
	Time Datetime
}

// resolve returns the time to set, or the zero time for no-change.
func (n NewTimestamp) resolve() (time.Time, error) {
	switch n.Kind {
	case NoChange:
		return time.Time{}, nil
	case Now:
		return time.Now(), nil
	case Timestamp:
		if n.Time.Seconds > math.MaxInt64/2 || n.Time.Nanoseconds >= 1e9 {
			return time.Time{}, ErrInvalid
		}
		t := time.Unix(int64(n.Time.Seconds), int64(n.Time.Nanoseconds))
		if t.IsZero() {
			// time.Time's zero means "unchanged" to os.Chtimes; the epoch
			// itself is one nanosecond away from it in no real filesystem.
			t = t.Add(time.Nanosecond)
		}
		return t, nil
	}
	return time.Time{}, ErrInvalid
}

// DirEntry is wasi:filesystem/types.directory-entry.
type DirEntry struct {
	Type DescriptorType
	Name string
}

// MetadataHash is wasi:filesystem/types.metadata-hash-value.
type MetadataHash struct{ Lower, Upper uint64 }

// FS is the filesystem state of one WASI instance: its secret for metadata
// hashes. Descriptors are made from it.
type FS struct {
	seedLo, seedHi maphash.Seed
}

// NewFS returns a filesystem state with fresh hash secrets.
func NewFS() *FS { return &FS{seedLo: maphash.MakeSeed(), seedHi: maphash.MakeSeed()} }

// Descriptor is wasi:filesystem/types.descriptor: a directory (an os.Root,
// which keeps every path operation inside it) or an open file.
type Descriptor struct {
	fs     *FS
	root   *os.Root // directories only
	file   *os.File // the open file, or the directory itself for fd-level calls
	flags  DescriptorFlags
	typ    DescriptorType
	mu     sync.Mutex // guards closed
	closed bool
}

// OpenPreopen opens host directory dir as a preopened descriptor. readOnly
// withholds write and mutate-directory.
func (fsys *FS) OpenPreopen(dir string, readOnly bool) (*Descriptor, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	f, err := root.Open(".")
	if err != nil {
		root.Close()
		return nil, err
	}
	flags := FlagRead | FlagMutateDirectory
	if readOnly {
		flags = FlagRead
	}
	return &Descriptor{fs: fsys, root: root, file: f, flags: flags, typ: TypeDirectory}, nil
}

// Close releases the descriptor; the resource's destructor calls it.
func (d *Descriptor) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil
	}
	d.closed = true
	var err error
	if d.file != nil {
		err = d.file.Close()
	}
	if d.root != nil {
		if e := d.root.Close(); err == nil {
			err = e
		}
	}
	return err
}

func (d *Descriptor) isDir() bool { return d.root != nil }

// file returns the descriptor's file for data calls, checking flag.
func (d *Descriptor) dataFile(flag DescriptorFlags) (*os.File, error) {
	if d.isDir() {
		return nil, ErrIsDirectory
	}
	if d.flags&flag == 0 {
		return nil, ErrBadDescriptor
	}
	return d.file, nil
}

// dir returns the descriptor's root for path calls; mutate asks for
// mutate-directory, whose absence is read-only.
func (d *Descriptor) dir(mutate bool) (*os.Root, error) {
	if !d.isDir() {
		return nil, ErrNotDirectory
	}
	if mutate && d.flags&FlagMutateDirectory == 0 {
		return nil, ErrReadOnly
	}
	return d.root, nil
}

// checkPath applies the spec's rule that paths are relative: one starting
// with "/" is not-permitted. Empty paths name nothing.
func checkPath(path string) error {
	if path == "" {
		return ErrNoEntry
	}
	if path[0] == '/' {
		return ErrNotPermitted
	}
	if strings.IndexByte(path, 0) >= 0 {
		return ErrInvalid
	}
	return nil
}

// codeErr maps err to its error-code (as an error), nil staying nil.
func codeErr(err error) error {
	if err == nil {
		return nil
	}
	return CodeOf(err)
}

func offsetOf(off uint64) (int64, error) {
	if off > math.MaxInt64 {
		return 0, ErrInvalid
	}
	return int64(off), nil
}

// ReadViaStream is descriptor.read-via-stream.
func (d *Descriptor) ReadViaStream(offset uint64) (InputStream, error) {
	f, err := d.dataFile(FlagRead)
	if err != nil {
		return nil, err
	}
	return &fileInput{f: f, off: offset}, nil
}

// WriteViaStream is descriptor.write-via-stream.
func (d *Descriptor) WriteViaStream(offset uint64) (OutputStream, error) {
	f, err := d.dataFile(FlagWrite)
	if err != nil {
		return nil, err
	}
	return &fileOutput{f: f, off: offset}, nil
}

// AppendViaStream is descriptor.append-via-stream.
func (d *Descriptor) AppendViaStream() (OutputStream, error) {
	f, err := d.dataFile(FlagWrite)
	if err != nil {
		return nil, err
	}
	return &fileOutput{f: f, appending: true}, nil
}

// Advise is descriptor.advise: advice is only a hint, so it is checked and
// otherwise ignored.
func (d *Descriptor) Advise(offset, length uint64, advice uint8) error {
	if d.isDir() {
		return ErrBadDescriptor
	}
	if advice > 5 {
		return ErrInvalid
	}
	return nil
}

// SyncData is descriptor.sync-data.
func (d *Descriptor) SyncData() error { return d.Sync() }

// Sync is descriptor.sync.
func (d *Descriptor) Sync() error {
	err := d.file.Sync()
	if err != nil && d.isDir() && (CodeOf(err) == ErrInvalid || CodeOf(err) == ErrBadDescriptor) {
		// Some systems refuse fsync on a directory opened read-only; there
		// is nothing of the guest's to lose there.
		return nil
	}
	return codeErr(err)
}

// GetFlags is descriptor.get-flags.
func (d *Descriptor) GetFlags() DescriptorFlags { return d.flags }

// GetType is descriptor.get-type.
func (d *Descriptor) GetType() DescriptorType { return d.typ }

// SetSize is descriptor.set-size.
func (d *Descriptor) SetSize(size uint64) error {
	f, err := d.dataFile(FlagWrite)
	if err != nil {
		return err
	}
	n, err := offsetOf(size)
	if err != nil {
		return ErrFileTooLarge
	}
	return codeErr(f.Truncate(n))
}

// SetTimes is descriptor.set-times.
func (d *Descriptor) SetTimes(atime, mtime NewTimestamp) error {
	if !d.isDir() && d.flags&FlagWrite == 0 {
		return ErrBadDescriptor
	}
	return codeErr(setFileTimes(d.file, atime, mtime))
}

// Read is descriptor.read: up to length bytes at offset, and whether the
// end of the file was reached.
func (d *Descriptor) Read(length, offset uint64) ([]byte, bool, error) {
	f, err := d.dataFile(FlagRead)
	if err != nil {
		return nil, false, err
	}
	off, err := offsetOf(offset)
	if err != nil {
		return nil, false, err
	}
	buf := make([]byte, min(length, MaxRead))
	n, err := f.ReadAt(buf, off)
	if err == io.EOF {
		return buf[:n], true, nil
	}
	if err != nil {
		return nil, false, CodeOf(err)
	}
	return buf[:n], false, nil
}

// Write is descriptor.write: buffer at offset; returns the count written.
func (d *Descriptor) Write(buffer []byte, offset uint64) (uint64, error) {
	f, err := d.dataFile(FlagWrite)
	if err != nil {
		return 0, err
	}
	off, err := offsetOf(offset)
	if err != nil || uint64(off)+uint64(len(buffer)) > math.MaxInt64 {
		return 0, ErrFileTooLarge
	}
	n, err := f.WriteAt(buffer, off)
	if err != nil && n == 0 {
		return 0, CodeOf(err)
	}
	return uint64(n), nil
}

// ReadDirectory is descriptor.read-directory.
func (d *Descriptor) ReadDirectory() (*DirectoryEntryStream, error) {
	root, err := d.dir(false)
	if err != nil {
		return nil, err
	}
	f, err := root.Open(".")
	if err != nil {
		return nil, CodeOf(err)
	}
	return &DirectoryEntryStream{f: f}, nil
}

// CreateDirectoryAt is descriptor.create-directory-at.
func (d *Descriptor) CreateDirectoryAt(path string) error {
	root, err := d.dir(true)
	if err != nil {
		return err
	}
	if err := checkPath(path); err != nil {
		return err
	}
	return codeErr(root.Mkdir(path, 0o777))
}

// Stat is descriptor.stat.
func (d *Descriptor) Stat() (Stat, error) {
	fi, err := d.file.Stat()
	if err != nil {
		return Stat{}, CodeOf(err)
	}
	return statOf(fi), nil
}

// StatAt is descriptor.stat-at.
func (d *Descriptor) StatAt(pf PathFlags, path string) (Stat, error) {
	fi, err := d.lstatAt(pf, path)
	if err != nil {
		return Stat{}, err
	}
	return statOf(fi), nil
}

func (d *Descriptor) lstatAt(pf PathFlags, path string) (fs.FileInfo, error) {
	root, err := d.dir(false)
	if err != nil {
		return nil, err
	}
	if err := checkPath(path); err != nil {
		return nil, err
	}
	var fi fs.FileInfo
	if pf&SymlinkFollow != 0 {
		fi, err = root.Stat(path)
	} else {
		fi, err = root.Lstat(path)
	}
	if err != nil {
		return nil, CodeOf(err)
	}
	return fi, nil
}

// SetTimesAt is descriptor.set-times-at.
func (d *Descriptor) SetTimesAt(pf PathFlags, path string, atime, mtime NewTimestamp) error {
	root, err := d.dir(true)
	if err != nil {
		return err
	}
	if err := checkPath(path); err != nil {
		return err
	}
	if pf&SymlinkFollow != 0 {
		a, err := atime.resolve()
		if err != nil {
			return err
		}
		m, err := mtime.resolve()
		if err != nil {
			return err
		}
		if a.IsZero() && m.IsZero() {
			_, err := root.Stat(path)
			return codeErr(err)
		}
		return codeErr(root.Chtimes(path, a, m))
	}
	parent, base, err := openParent(root, path)
	if err != nil {
		return err
	}
	defer parent.close()
	return codeErr(setTimesNoFollow(parent.f, base, atime, mtime))
}

// LinkAt is descriptor.link-at.
func (d *Descriptor) LinkAt(oldPF PathFlags, oldPath string, nd *Descriptor, newPath string) error {
	oldRoot, err := d.dir(true)
	if err != nil {
		return err
	}
	newRoot, err := nd.dir(true)
	if err != nil {
		return err
	}
	if oldPF&SymlinkFollow != 0 {
		// Linking what a symlink names would need a second resolution that
		// could race; like the reference hosts, refuse it.
		return ErrInvalid
	}
	if err := checkPath(oldPath); err != nil {
		return err
	}
	if err := checkPath(newPath); err != nil {
		return err
	}
	if d == nd {
		return codeErr(oldRoot.Link(oldPath, newPath))
	}
	return crossDir(oldRoot, oldPath, newRoot, newPath, linkat)
}

// OpenAt is descriptor.open-at.
func (d *Descriptor) OpenAt(pf PathFlags, path string, of OpenFlags, flags DescriptorFlags) (*Descriptor, error) {
	root, err := d.dir(false)
	if err != nil {
		return nil, err
	}
	if flags&(FlagWrite|FlagMutateDirectory) != 0 || of&(OpenCreate|OpenTruncate) != 0 {
		if d.flags&FlagMutateDirectory == 0 {
			return nil, ErrReadOnly
		}
	}
	if err := checkPath(path); err != nil {
		return nil, err
	}
	if of&OpenDirectory != 0 && of&(OpenCreate|OpenTruncate) != 0 {
		return nil, ErrInvalid
	}
	if of&OpenExclusive != 0 && of&OpenCreate == 0 {
		of &^= OpenExclusive // O_EXCL without O_CREAT means nothing
	}
	if pf&SymlinkFollow == 0 {
		// os.Root always follows a final symlink; the spec's nofollow is
		// checked first. A link swapped in afterwards is still resolved
		// inside the root, so the race cannot escape.
		if fi, err := root.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
			if of&(OpenCreate|OpenExclusive) == OpenCreate|OpenExclusive {
				return nil, ErrExist
			}
			return nil, ErrLoop
		}
	}
	mode := os.O_RDONLY
	switch {
	case flags&FlagRead != 0 && flags&FlagWrite != 0:
		mode = os.O_RDWR
	case flags&FlagWrite != 0:
		mode = os.O_WRONLY
	}
	if of&OpenCreate != 0 {
		mode |= os.O_CREATE
	}
	if of&OpenExclusive != 0 {
		mode |= os.O_EXCL
	}
	if of&OpenTruncate != 0 {
		mode |= os.O_TRUNC
	}
	mode |= syncFlags(flags)
	f, err := root.OpenFile(path, mode, 0o666)
	if err != nil {
		return nil, CodeOf(err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, CodeOf(err)
	}
	nd := &Descriptor{fs: d.fs, file: f, flags: flags, typ: typeOf(fi.Mode())}
	if !fi.IsDir() {
		if of&OpenDirectory != 0 {
			f.Close()
			return nil, ErrNotDirectory
		}
		return nd, nil
	}
	// A directory needs its own Root so that paths under it stay under it.
	// It is opened by path a second time; check it is the same directory.
	sub, err := root.OpenRoot(path)
	if err != nil {
		f.Close()
		return nil, CodeOf(err)
	}
	if si, err := sub.Stat("."); err != nil || !os.SameFile(fi, si) {
		sub.Close()
		f.Close()
		return nil, ErrBusy
	}
	nd.root = sub
	return nd, nil
}

// ReadlinkAt is descriptor.readlink-at.
func (d *Descriptor) ReadlinkAt(path string) (string, error) {
	root, err := d.dir(false)
	if err != nil {
		return "", err
	}
	if err := checkPath(path); err != nil {
		return "", err
	}
	target, err := root.Readlink(path)
	if err != nil {
		return "", CodeOf(err)
	}
	if strings.HasPrefix(target, "/") {
		// Revealing an absolute target would reveal the host's layout.
		return "", ErrNotPermitted
	}
	return target, nil
}

// RemoveDirectoryAt is descriptor.remove-directory-at.
func (d *Descriptor) RemoveDirectoryAt(path string) error {
	root, err := d.dir(true)
	if err != nil {
		return err
	}
	if err := checkPath(path); err != nil {
		return err
	}
	fi, err := root.Lstat(path)
	if err != nil {
		return CodeOf(err)
	}
	if !fi.IsDir() {
		return ErrNotDirectory
	}
	return codeErr(root.Remove(path))
}

// RenameAt is descriptor.rename-at.
func (d *Descriptor) RenameAt(oldPath string, nd *Descriptor, newPath string) error {
	oldRoot, err := d.dir(true)
	if err != nil {
		return err
	}
	newRoot, err := nd.dir(true)
	if err != nil {
		return err
	}
	if err := checkPath(oldPath); err != nil {
		return err
	}
	if err := checkPath(newPath); err != nil {
		return err
	}
	if d == nd {
		return codeErr(oldRoot.Rename(oldPath, newPath))
	}
	return crossDir(oldRoot, oldPath, newRoot, newPath, renameat)
}

// SymlinkAt is descriptor.symlink-at. The target is stored as given; a
// target that leaves the directory is refused later, when it is followed.
func (d *Descriptor) SymlinkAt(oldPath, newPath string) error {
	root, err := d.dir(true)
	if err != nil {
		return err
	}
	if strings.HasPrefix(oldPath, "/") {
		return ErrNotPermitted
	}
	if strings.IndexByte(oldPath, 0) >= 0 {
		return ErrInvalid
	}
	if err := checkPath(newPath); err != nil {
		return err
	}
	return codeErr(root.Symlink(oldPath, newPath))
}

// UnlinkFileAt is descriptor.unlink-file-at.
func (d *Descriptor) UnlinkFileAt(path string) error {
	root, err := d.dir(true)
	if err != nil {
		return err
	}
	if err := checkPath(path); err != nil {
		return err
	}
	fi, err := root.Lstat(path)
	if err != nil {
		return CodeOf(err)
	}
	if fi.IsDir() {
		return ErrIsDirectory
	}
	if strings.HasSuffix(path, "/") {
		return ErrNotDirectory
	}
	return codeErr(root.Remove(path))
}

// IsSameObject is descriptor.is-same-object.
func (d *Descriptor) IsSameObject(other *Descriptor) bool {
	if d == other {
		return true
	}
	a, err1 := d.file.Stat()
	b, err2 := other.file.Stat()
	return err1 == nil && err2 == nil && os.SameFile(a, b)
}

// MetadataHash is descriptor.metadata-hash.
func (d *Descriptor) MetadataHash() (MetadataHash, error) {
	fi, err := d.file.Stat()
	if err != nil {
		return MetadataHash{}, CodeOf(err)
	}
	return d.fs.hash(fi), nil
}

// MetadataHashAt is descriptor.metadata-hash-at.
func (d *Descriptor) MetadataHashAt(pf PathFlags, path string) (MetadataHash, error) {
	fi, err := d.lstatAt(pf, path)
	if err != nil {
		return MetadataHash{}, err
	}
	return d.fs.hash(fi), nil
}

// hash keys the object's identity, size and modification time with the
// instance's secret, so the guest cannot recover inode numbers from it.
func (fsys *FS) hash(fi fs.FileInfo) MetadataHash {
	var buf [40]byte
	dev, ino := fileID(fi)
	put64(buf[0:], dev)
	put64(buf[8:], ino)
	put64(buf[16:], uint64(fi.Size()))
	put64(buf[24:], uint64(fi.ModTime().UnixNano()))
	put64(buf[32:], uint64(fi.Mode()))
	return MetadataHash{Lower: maphash.Bytes(fsys.seedLo, buf[:]), Upper: maphash.Bytes(fsys.seedHi, buf[:])}
}

func put64(b []byte, v uint64) {
	for i := range 8 {
		b[i] = byte(v >> (8 * i))
	}
}

func typeOf(m fs.FileMode) DescriptorType {
	switch {
	case m.IsRegular():
		return TypeRegularFile
	case m.IsDir():
		return TypeDirectory
	case m&fs.ModeSymlink != 0:
		return TypeSymbolicLink
	case m&fs.ModeNamedPipe != 0:
		return TypeFIFO
	case m&fs.ModeSocket != 0:
		return TypeSocket
	case m&fs.ModeCharDevice != 0:
		return TypeCharacterDevice
	case m&fs.ModeDevice != 0:
		return TypeBlockDevice
	}
	return TypeUnknown
}

func statOf(fi fs.FileInfo) Stat {
	st := Stat{Type: typeOf(fi.Mode()), LinkCount: 1, Size: uint64(max(fi.Size(), 0))}
	st.ModificationTimestamp = DatetimeOf(fi.ModTime())
	sysStat(fi, &st)
	return st
}

// DirectoryEntryStream is wasi:filesystem/types.directory-entry-stream. It
// reads the directory in small batches, so a huge directory costs no more
// memory than a batch.
type DirectoryEntryStream struct {
	mu      sync.Mutex
	f       *os.File
	pending []fs.DirEntry
	done    bool
}

// ReadDirectoryEntry is directory-entry-stream.read-directory-entry; it
// returns nil at the end.
func (s *DirectoryEntryStream) ReadDirectoryEntry() (*DirEntry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.pending) == 0 {
		if s.done {
			return nil, nil
		}
		ents, err := s.f.ReadDir(64)
		if err == io.EOF || (err == nil && len(ents) == 0) {
			s.done = true
			continue
		}
		if err != nil && len(ents) == 0 {
			return nil, CodeOf(err)
		}
		s.pending = ents
	}
	e := s.pending[0]
	s.pending = s.pending[1:]
	typ := typeOf(e.Type())
	if e.Type() == 0 {
		typ = TypeRegularFile
	}
	return &DirEntry{Type: typ, Name: e.Name()}, nil
}

// Close releases the stream.
func (s *DirectoryEntryStream) Close() error { return s.f.Close() }

// fileInput is the input stream of read-via-stream.
type fileInput struct {
	mu     sync.Mutex
	f      *os.File
	off    uint64
	closed bool
}

func (s *fileInput) Read(n uint64) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	off, err := offsetOf(s.off)
	if err != nil {
		s.closed = true
		return nil, &StreamError{ErrInvalid}
	}
	if n == 0 {
		return []byte{}, nil
	}
	buf := make([]byte, min(n, MaxRead))
	k, err := s.f.ReadAt(buf, off)
	s.off += uint64(k)
	if k > 0 {
		return buf[:k], nil
	}
	s.closed = true
	if err == io.EOF || err == nil {
		return nil, ErrClosed
	}
	return nil, &StreamError{CodeOf(err)}
}

func (s *fileInput) BlockingRead(_ context.Context, n uint64) ([]byte, error) { return s.Read(n) }
func (s *fileInput) Subscribe() Pollable                                      { return ReadyPollable{} }
func (s *fileInput) Close() error                                             { return nil }

// fileOutput is the output stream of write-via-stream and append-via-stream.
type fileOutput struct {
	mu        sync.Mutex
	f         *os.File
	off       uint64
	appending bool
	closed    bool
}

func (s *fileOutput) CheckWrite() (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, ErrClosed
	}
	return WritePermit, nil
}

func (s *fileOutput) Write(contents []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if len(contents) > WritePermit {
		return &TrapError{"wasi:io/streams: write of more bytes than check-write permitted"}
	}
	off := s.off
	if s.appending {
		fi, err := s.f.Stat()
		if err != nil {
			s.closed = true
			return &StreamError{CodeOf(err)}
		}
		off = uint64(fi.Size())
	}
	if off > math.MaxInt64-uint64(len(contents)) {
		s.closed = true
		return &StreamError{ErrFileTooLarge}
	}
	k, err := s.f.WriteAt(contents, int64(off))
	s.off = off + uint64(k)
	if err != nil {
		s.closed = true
		return &StreamError{CodeOf(err)}
	}
	return nil
}

func (s *fileOutput) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	return nil
}
func (s *fileOutput) BlockingFlush(context.Context) error { return s.Flush() }
func (s *fileOutput) Subscribe() Pollable                 { return ReadyPollable{} }
func (s *fileOutput) Close() error                        { return nil }

// parentDir is the directory holding a path's last component, opened
// through the root, with a file handle for *at system calls.
type parentDir struct {
	root *os.Root // nil when it is the base directory itself
	f    *os.File
}

func (p parentDir) close() {
	p.f.Close()
	if p.root != nil {
		p.root.Close()
	}
}

// openParent resolves all but the last component of path inside root. The
// last component is returned on its own; "." and ".." are refused there,
// since an *at call on them would act on a directory the caller did not name
// (or, for "..", one outside).
func openParent(root *os.Root, path string) (parentDir, string, error) {
	trimmed := strings.TrimRight(path, "/")
	if trimmed == "" {
		return parentDir{}, "", ErrNotPermitted
	}
	dir, base := ".", trimmed
	if i := strings.LastIndexByte(trimmed, '/'); i >= 0 {
		dir, base = trimmed[:i], trimmed[i+1:]
		if dir == "" {
			return parentDir{}, "", ErrNotPermitted
		}
	}
	switch base {
	case ".":
		return parentDir{}, "", ErrInvalid
	case "..":
		return parentDir{}, "", ErrNotPermitted
	}
	var p parentDir
	r := root
	if dir != "." {
		sub, err := root.OpenRoot(dir)
		if err != nil {
			return parentDir{}, "", CodeOf(err)
		}
		p.root, r = sub, sub
	}
	f, err := r.Open(".")
	if err != nil {
		if p.root != nil {
			p.root.Close()
		}
		return parentDir{}, "", CodeOf(err)
	}
	p.f = f
	return p, base, nil
}

// crossDir runs a two-path system call (rename, link) between two
// directories, each path resolved inside its own root.
func crossDir(oldRoot *os.Root, oldPath string, newRoot *os.Root, newPath string, op func(oldDir *os.File, oldBase string, newDir *os.File, newBase string) error) error {
	op1, oldBase, err := openParent(oldRoot, oldPath)
	if err != nil {
		return err
	}
	defer op1.close()
	op2, newBase, err := openParent(newRoot, newPath)
	if err != nil {
		return err
	}
	defer op2.close()
	return codeErr(op(op1.f, oldBase, op2.f, newBase))
}
