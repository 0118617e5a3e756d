package preview1

// Preview-1 errno values used by the adapter.
const (
	eSuccess     = 0
	eAcces       = 2
	eAgain       = 6
	eAlready     = 7
	eBadf        = 8
	eBusy        = 10
	eDeadlk      = 16
	eDquot       = 19
	eExist       = 20
	eFbig        = 22
	eIlseq       = 25
	eInprogress  = 26
	eIntr        = 27
	eInval       = 28
	eIO          = 29
	eIsdir       = 31
	eLoop        = 32
	eMfile       = 33
	eMlink       = 34
	eMsgsize     = 35
	eNametoolong = 37
	eNodev       = 43
	eNoent       = 44
	eNolck       = 46
	eNomem       = 48
	eNospc       = 51
	eNosys       = 52
	eNotdir      = 54
	eNotempty    = 55
	eNotrecov    = 56
	eNotsup      = 58
	eNotty       = 59
	eNxio        = 60
	eOverflow    = 61
	ePerm        = 63
	ePipe        = 64
	eRofs        = 69
	eSpipe       = 70
	eTxtbsy      = 74
	eXdev        = 75
)

// errnoOf maps each case of wasi:filesystem/types.error-code, in its order,
// to the preview-1 errno.
var errnoOf = [...]byte{
	eAcces, eAgain, eAlready, eBadf, eBusy, eDeadlk, eDquot, eExist,
	eFbig, eIlseq, eInprogress, eIntr, eInval, eIO,
	eIsdir, eLoop, eMlink, eMsgsize, eNametoolong, eNodev,
	eNoent, eNolck, eNomem, eNospc, eNotdir,
	eNotempty, eNotrecov, eNotsup, eNotty, eNxio, eOverflow,
	ePerm, ePipe, eRofs, eSpipe, eTxtbsy, eXdev,
}

// filetypeOf maps descriptor-type (unknown, block-device, character-device,
// directory, fifo, symbolic-link, regular-file, socket) to the preview-1
// filetype, one byte per case of a little-endian i64 (a fifo has no
// preview-1 type; a socket is a stream socket).
const filetypeOf = 0x06_04_07_00_03_02_01_00

// Preview-1 file types.
const (
	ftCharDevice = 2
	ftDirectory  = 3
)

// Kinds of file table entries.
const (
	kFree = 0
	kIn   = 1 // an input stream (stdin)
	kOut  = 2 // an output stream (stdout, stderr)
	kFile = 3 // a descriptor that is not a directory
	kDir  = 4 // a directory descriptor
)

// File table entry fields (offsets in an entry).
const (
	feKind    = 0  // u8
	fePreopen = 1  // u8: 1 for a preopened directory
	feFlags   = 2  // u8: preview-1 fdflags
	feDFlags  = 3  // u8: the descriptor-flags of a descriptor
	feHandle  = 4  // u32: the stream or descriptor handle
	fePos     = 8  // u64: a file's position
	feName    = 8  // u32: a preopen's name address
	feNameLen = 12 // u32: and its length
)

// Preview-1 flags and rights.
const (
	fdflagAppend = 1
	fdflagDsync  = 2
	fdflagRsync  = 8
	fdflagSync   = 16

	oflagDirectory = 2

	rightFdRead              = 1 << 1
	rightFdWrite             = 1 << 6
	rightFdAllocate          = 1 << 8
	rightPathCreateDirectory = 1 << 9
	rightPathCreateFile      = 1 << 10
	rightPathLinkTarget      = 1 << 12
	rightFdReaddir           = 1 << 14
	rightPathRenameTarget    = 1 << 17
	rightPathFilestatSetTime = 1 << 20
	rightFdFilestatSetSize   = 1 << 22
	rightPathSymlink         = 1 << 24
	rightPathRemoveDirectory = 1 << 25
	rightPathUnlinkFile      = 1 << 26
	allRights                = 1<<30 - 1

	fstAtim    = 1
	fstAtimNow = 2
	fstMtim    = 4
	fstMtimNow = 8
)

// descriptor-flags bits.
const (
	dfRead            = 1
	dfWrite           = 2
	dfFileSync        = 4
	dfDataSync        = 8
	dfRequestedSync   = 16
	dfMutateDirectory = 32
)
